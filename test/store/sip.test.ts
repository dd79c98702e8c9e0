import { sipContract } from './contract/sip.ts';
import { sqliteStores } from './factories.ts';

sipContract(sqliteStores);
