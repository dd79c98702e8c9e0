import { alertsContract } from './contract/alerts.ts';
import { sqliteStores } from './factories.ts';

alertsContract(sqliteStores);
