import { exportStateContract } from './contract/export-state.ts';
import { postgresStores } from './factories.ts';

exportStateContract(postgresStores);
