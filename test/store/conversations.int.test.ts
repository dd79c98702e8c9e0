import { conversationsContract } from './contract/conversations.ts';
import { postgresStores } from './factories.ts';

conversationsContract(postgresStores);
