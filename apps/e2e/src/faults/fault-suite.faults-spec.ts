import { LongProfile } from './fault-profiles';
import { faultSuite } from './fault-suite';

// The long fault suite (`npm run test:faults`, not part of `npm test`): every fault of issue 10 on a
// broker node and a PostgreSQL server of this file's own, a few hundred orders, ~10 minutes.
faultSuite(LongProfile);
