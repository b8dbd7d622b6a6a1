import { ShortProfile } from './fault-profiles';
import { faultSuite } from './fault-suite';

// The short fault suite, part of `npm test`: ~40 orders, five faults (TCP reset, connections closed by
// the broker, duplicate deliveries, poison messages, kill -9 of order-service). The long form, with
// every fault of issue 10, is fault-suite.faults-spec.ts (`npm run test:faults`).
faultSuite(ShortProfile);
