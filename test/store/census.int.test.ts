import { censusContract } from './contract/census.ts';
import { postgresStores } from './factories.ts';

censusContract(postgresStores);
