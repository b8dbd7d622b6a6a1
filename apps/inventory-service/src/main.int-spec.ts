import { serviceBootSuite } from '@orderly/testing';

serviceBootSuite('inventory-service');
