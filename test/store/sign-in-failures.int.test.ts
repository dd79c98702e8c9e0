import { signInFailureContract } from './contract/sign-in-failures.ts';
import { postgresStores } from './factories.ts';

signInFailureContract(postgresStores);
