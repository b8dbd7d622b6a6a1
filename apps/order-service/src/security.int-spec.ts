import { serviceSecuritySuite } from '@orderly/testing';

// ADMIN_TOKEN guards the operator API (/admin/sagas): it is a secret like the passwords.
serviceSecuritySuite('order-service', { adminToken: true });
