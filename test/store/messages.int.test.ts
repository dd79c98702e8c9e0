import { auditContract, messagesContract } from './contract/messages.ts';
import { postgresStores } from './factories.ts';

messagesContract(postgresStores);
auditContract(postgresStores);
