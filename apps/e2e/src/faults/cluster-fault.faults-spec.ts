import { ClusterProfile } from './fault-profiles';
import { faultSuite } from './fault-suite';

// The broker-cluster fault run (`npm run test:faults -- cluster`, not part of `npm test`): a 3-node
// RabbitMQ cluster of this file's own with the topology's quorum queues on every node; the services reach
// it through a failover proxy; a node is stopped under a steady stream of orders and started again, twice.
faultSuite(ClusterProfile);
