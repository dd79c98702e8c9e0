import { connectorsContract } from './contract/connectors.ts';
import { sqliteStores } from './factories.ts';

connectorsContract(sqliteStores);
