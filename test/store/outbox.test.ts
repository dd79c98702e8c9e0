import { outboxContract } from './contract/outbox.ts';
import { sqliteStores } from './factories.ts';

outboxContract(sqliteStores);
