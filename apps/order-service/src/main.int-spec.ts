import { serviceBootSuite } from '@orderly/testing';

serviceBootSuite('order-service', { ADMIN_TOKEN: 'boot-suite-admin-token' });
