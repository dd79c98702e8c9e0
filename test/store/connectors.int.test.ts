import { connectorsContract } from './contract/connectors.ts';
import { postgresStores } from './factories.ts';

connectorsContract(postgresStores);
