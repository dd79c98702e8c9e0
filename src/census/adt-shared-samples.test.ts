import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Hl7Message } from '../protocols/hl7/index.ts';
import type { Store } from '../store/port.ts';
import { openSqliteStore } from '../store/sqlite/index.ts';
import { adtToCensusChange } from './adt-change.ts';
import { applyCensusChange } from './apply.ts';

// Real ADT messages from public repositories, in ../shared (CI has it; a fresh clone may not).
const samples = join(import.meta.dirname, '..', '..', '..', 'shared', 'samples', 'hl7');
const present = existsSync(samples);
if (!present)
  console.warn(`census: shared HL7 samples not found at ${samples}; the shared-sample suite is skipped`);

describe.skipIf(!present)('census over the shared HL7 samples', () => {
  let dir: string;
  let store: Store;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'census-shared-'));
    store = openSqliteStore(dir);
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const files = present ? readdirSync(samples).filter((f) => /\.(hl7|txt)$/.test(f)) : [];

  it('reads every ADT event it follows, applies it, and places admitted patients where PV1-3 says', async () => {
    let followed = 0;
    for (const file of files) {
      let message: Hl7Message;
      try {
        message = Hl7Message.parse(readFileSync(join(samples, file)));
      } catch {
        continue; // malformed samples are the codec's concern, not the census's
      }
      const change = adtToCensusChange(message, { zone: 'America/New_York' });
      if (change === undefined) continue;
      followed++;
      const update = await applyCensusChange(change, store.census);
      expect(update.mrn, file).not.toBe('');
      if (change.action === 'admit' && change.visit?.location.sent && change.visit.location.value) {
        const visit = await store.census.visit(update.visitNumber!);
        expect(visit?.location.unit, file).toBe(change.visit.location.value.unit);
        // A unit is a name, never an HD with its subcomponents (v2.7+ PL.1 is HD).
        expect(visit?.location.unit, file).not.toContain(message.header.delimiters.subcomponent);
      }
    }
    expect(followed).toBeGreaterThanOrEqual(5);
  });
});
