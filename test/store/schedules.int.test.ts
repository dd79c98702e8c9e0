import { schedulesContract } from './contract/schedules.ts';
import { postgresStores } from './factories.ts';

schedulesContract(postgresStores);
