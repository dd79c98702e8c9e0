import { exportStateContract } from './contract/export-state.ts';
import { sqliteStores } from './factories.ts';

exportStateContract(sqliteStores);
