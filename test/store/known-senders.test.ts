import { knownSenderContract } from './contract/known-senders.ts';
import { sqliteStores } from './factories.ts';

knownSenderContract(sqliteStores);
