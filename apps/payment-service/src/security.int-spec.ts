import { serviceSecuritySuite } from '@orderly/testing';

serviceSecuritySuite('payment-service');
