import { serviceBootSuite } from '@orderly/testing';

serviceBootSuite('order-service');
