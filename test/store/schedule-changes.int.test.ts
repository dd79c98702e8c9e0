import { scheduleChangesContract } from './contract/schedule-changes.ts';
import { postgresStores } from './factories.ts';

scheduleChangesContract(postgresStores);
