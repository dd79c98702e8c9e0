import { auditContract, messagesContract } from './contract/messages.ts';
import { sqliteStores } from './factories.ts';

messagesContract(sqliteStores);
auditContract(sqliteStores);
