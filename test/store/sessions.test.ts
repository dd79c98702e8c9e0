import { sessionsContract } from './contract/sessions.ts';
import { sqliteStores } from './factories.ts';

sessionsContract(sqliteStores);
