import { serviceSecuritySuite } from '@orderly/testing';

serviceSecuritySuite('notification-service');
