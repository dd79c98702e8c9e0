import { signInFailureContract } from './contract/sign-in-failures.ts';
import { sqliteStores } from './factories.ts';

signInFailureContract(sqliteStores);
