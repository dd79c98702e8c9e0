import { unroutedContract } from './contract/unrouted.ts';
import { sqliteStores } from './factories.ts';

unroutedContract(sqliteStores);
