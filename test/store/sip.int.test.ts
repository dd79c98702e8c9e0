import { sipContract } from './contract/sip.ts';
import { postgresStores } from './factories.ts';

sipContract(postgresStores);
