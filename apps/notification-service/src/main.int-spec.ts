import { serviceBootSuite } from '@orderly/testing';

serviceBootSuite('notification-service');
