import { exclusiveLeaseContract, leaseContract } from './contract/leases.ts';
import { postgresStores } from './factories.ts';

leaseContract(postgresStores);
exclusiveLeaseContract(postgresStores);
