import { scheduleSourcesContract } from './contract/schedule-sources.ts';
import { sqliteStores } from './factories.ts';

scheduleSourcesContract(sqliteStores);
