import { scheduleSourcesContract } from './contract/schedule-sources.ts';
import { postgresStores } from './factories.ts';

scheduleSourcesContract(postgresStores);
