import { embeddedLeaseContract, leaseContract } from './contract/leases.ts';
import { sqliteStores } from './factories.ts';

leaseContract(sqliteStores);
embeddedLeaseContract(sqliteStores);
