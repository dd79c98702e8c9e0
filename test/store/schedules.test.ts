import { schedulesContract } from './contract/schedules.ts';
import { sqliteStores } from './factories.ts';

schedulesContract(sqliteStores);
