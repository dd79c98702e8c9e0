import { sharedUnroutedContract, unroutedContract } from './contract/unrouted.ts';
import { postgresStores } from './factories.ts';

unroutedContract(postgresStores);
sharedUnroutedContract(postgresStores);
