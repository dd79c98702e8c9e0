import { conversationsContract } from './contract/conversations.ts';
import { sqliteStores } from './factories.ts';

conversationsContract(sqliteStores);
