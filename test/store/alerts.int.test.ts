import { alertsContract } from './contract/alerts.ts';
import { postgresStores } from './factories.ts';

alertsContract(postgresStores);
