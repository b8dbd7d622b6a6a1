import { serviceSecuritySuite } from '@orderly/testing';

serviceSecuritySuite('inventory-service');
