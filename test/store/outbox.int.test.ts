import { outboxContract } from './contract/outbox.ts';
import { postgresStores } from './factories.ts';

outboxContract(postgresStores);
