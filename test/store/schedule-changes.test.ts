import { scheduleChangesContract } from './contract/schedule-changes.ts';
import { sqliteStores } from './factories.ts';

scheduleChangesContract(sqliteStores);
