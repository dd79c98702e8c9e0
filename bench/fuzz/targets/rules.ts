/**
 * The rule loader: YAML (anchors, aliases, merge keys, tags), the rule and escalation policy checks, and the
 * CEL `when` expressions compiled. A bad file is refused with a list of problems; it never throws.
 */
import { YamlFile } from '../../../src/kit/yaml-files.ts';
import { loadRules } from '../../../src/routing/rules/load.ts';
import { generatedOrMutated, tokenSoup } from '../mutate.ts';
import { type FuzzOutcome, type FuzzTarget, promise } from '../target.ts';
import { filesOf } from './fixtures.ts';

const seeds = filesOf('config/rules', ['.yaml']);
// biome-ignore format: one token a line would hide the list
const TOKENS = ['\n', '\n  ', '\n    - ', '- ', ': ', '{', '}', '[', ']', ',', '&a ', '*a', '<<: *a', '!!binary ',
  '!!str ', '!!js/function ', '? ', '|', '>-', '"', "'", '\\u0000', '#', '---\n', '...\n', '%YAML 1.1\n', '\t',
  'when: ', "msg.type == 'ORU^R01'", 'msg.get("OBX-8")', ' && ', ' || ', '(', ')', '.matches("(a+)+$")', 'size(',
  'delay: ', '20s', '2m', '0s', '-1m', '99999999999m', 'recipients: ', 'assignment: ', 'escalationPolicy: ',
  'during: ', "'07:00-19:00'", 'priority: ', 'critical', 'id: ', 'steps:', 'repeat: ', 'null', '~', '1e309'];

function generate(next: () => number): Buffer {
  const head = next() < 0.5 ? 'rules:\n  - id: r\n    ' : 'escalationPolicies:\n  - id: p\n    ';
  return Buffer.concat([Buffer.from(head), tokenSoup(TOKENS, 40, next)]);
}

export const rules: FuzzTarget = {
  name: 'rules',
  input: (_i, next) => generatedOrMutated(seeds, TOKENS, generate, next),
  check(input): FuzzOutcome {
    const { value, problems } = loadRules([new YamlFile('rules/fuzz.yaml', input.toString('utf8'))], {
      timezone: 'America/New_York',
    });
    promise((value === undefined) === problems.length > 0, 'rules load, or problems say why not');
    return value ? 'accepted' : 'refused';
  },
};
