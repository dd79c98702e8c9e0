import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Hl7Message } from '../../protocols/hl7/index.ts';
import { loadRules } from './load.ts';

// Real HL7 messages from public repositories, in ../shared (CI has it; a fresh clone may not).
const samples = fileURLToPath(new URL('../../../../shared/samples/hl7', import.meta.url));
const present = existsSync(samples);
if (!present)
  console.warn(`routing rules: shared HL7 samples not found at ${samples}; that suite is skipped`);

describe.skipIf(!present)('demo rules over the shared HL7 samples', () => {
  it('evaluate every readable sample without failing, alerting exactly on critical flags', () => {
    const { value: rules, problems } = loadRules(
      fileURLToPath(new URL('../../../config/rules', import.meta.url)),
    );
    expect(problems).toEqual([]);
    const critical = new Set(['HH', 'LL', 'AA']);
    let read = 0;
    let alerted = 0;
    for (const file of readdirSync(samples).filter((f) => /\.(hl7|txt)$/.test(f))) {
      let message: Hl7Message;
      try {
        message = Hl7Message.parse(readFileSync(join(samples, file)));
      } catch {
        continue; // unreadable samples are the codec's concern
      }
      read++;
      const { matches, traces } = rules!.explain({ message, listener: 'mllp' });
      expect(traces.length, file).toBe(rules!.rules.length);
      expect(
        traces.filter((t) => t.error),
        file,
      ).toEqual([]);
      const filtered = matches.some((m) => m.filtered);
      const h = message.header;
      const expectCritical =
        !filtered &&
        h.messageType === 'ORU' &&
        h.triggerEvent === 'R01' &&
        message.getAll('OBX-8.1').some((flag) => critical.has(flag));
      const criticalMatch = matches.some((m) => m.rule.id.startsWith('critical-'));
      expect(criticalMatch, file).toBe(expectCritical);
      for (const m of matches) {
        expect(m.reasons.length, file).toBeGreaterThan(0);
        expect(m.title, file).not.toContain('{{');
      }
      if (criticalMatch) alerted++;
    }
    expect(read).toBeGreaterThan(20);
    console.log(`routing rules: ${read} shared samples evaluated, ${alerted} critical results alerted`);
  });
});
