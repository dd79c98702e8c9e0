import { sessionsContract } from './contract/sessions.ts';
import { postgresStores } from './factories.ts';

sessionsContract(postgresStores);
