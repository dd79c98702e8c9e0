import { knownSenderContract } from './contract/known-senders.ts';
import { postgresStores } from './factories.ts';

knownSenderContract(postgresStores);
