import { ruleEditContract } from './contract/rule-edits.ts';
import { sqliteStores } from './factories.ts';

ruleEditContract(sqliteStores);
