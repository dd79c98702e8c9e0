import { censusContract } from './contract/census.ts';
import { sqliteStores } from './factories.ts';

censusContract(sqliteStores);
