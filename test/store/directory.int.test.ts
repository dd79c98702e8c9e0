import { directoryContract } from './contract/directory.ts';
import { postgresStores } from './factories.ts';

directoryContract(postgresStores);
