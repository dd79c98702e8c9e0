import { ruleEditContract } from './contract/rule-edits.ts';
import { postgresStores } from './factories.ts';

ruleEditContract(postgresStores);
