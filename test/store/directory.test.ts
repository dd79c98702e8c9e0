import { directoryContract } from './contract/directory.ts';
import { sqliteStores } from './factories.ts';

directoryContract(sqliteStores);
