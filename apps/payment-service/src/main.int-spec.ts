import { serviceBootSuite } from '@orderly/testing';

serviceBootSuite('payment-service');
