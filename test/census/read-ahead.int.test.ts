/**
 * The census applied on PostgreSQL, where one ADT's reads are fetched in one look ahead
 * (CensusStore.readForAdt), gives what the embedded store gives read by read: the same changes reported
 * for every message and the same census afterwards, over admits, transfers, cancels, discharges, an
 * update, a duplicate registration and a merge.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Census } from '../../src/census/census.ts';
import * as adt from '../../src/census/fixtures/adt-messages.ts';
import { Hl7Message } from '../../src/protocols/hl7/index.ts';
import type { Store } from '../../src/store/port.ts';
import { openSqliteStore } from '../../src/store/sqlite/index.ts';
import { postgresStores, type StoreFactory } from '../store/factories.ts';

/** A merge stamps the survivor with the store's clock: compared without the stamps. */
const unstamped = (value: unknown) =>
  JSON.parse(JSON.stringify(value ?? null), (key, v) => (key === 'updatedAt' ? undefined : v));

/** One patient's day, then a second admission and a merge of the two numbers. */
const stream = [
  adt.A01_ADMIT,
  adt.A02_TO_ICU,
  adt.A12_CANCEL_TRANSFER,
  adt.A02_TO_ICU,
  adt.A08_UPDATE,
  adt.A03_DISCHARGE,
  adt.A13_CANCEL_DISCHARGE,
  adt.A12_CANCEL_TRANSFER_NO_LOCATION,
  adt.A04_DUPLICATE_REGISTRATION,
  adt.A31_PERSON_UPDATE,
  adt.A11_CANCEL_ADMIT,
  adt.A01_ADMIT,
  adt.A40_MERGE,
  adt.A08_UPDATE,
  adt.A01_CUSTOM_DELIMITERS,
];

describe('census with a look ahead on PostgreSQL', () => {
  let dir: string;
  let embedded: Store;
  let postgres: StoreFactory;
  let shared: Store;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sb-read-ahead-'));
    embedded = openSqliteStore(dir);
    postgres = postgresStores();
    shared = await postgres.open();
  });
  afterEach(async () => {
    await embedded.close();
    rmSync(dir, { recursive: true, force: true });
    await postgres.cleanup();
  });

  it('reports the same changes and leaves the same census as the embedded store', async () => {
    expect(shared.census.readForAdt).toBeDefined();
    const one = new Census(embedded.census, { zone: 'America/New_York' });
    const other = new Census(shared.census, { zone: 'America/New_York' });
    const mrns = new Set<string>();
    // Messages without an event time count from when they were received: the same instant for both.
    const receivedAt = new Date('2026-12-07T08:00:00Z');
    for (const raw of stream) {
      const message = Hl7Message.parse(raw);
      const [a, b] = [await one.applyAdt(message, receivedAt), await other.applyAdt(message, receivedAt)];
      expect(unstamped(b)).toEqual(unstamped(a));
      if (a) mrns.add(a.mrn);
    }
    expect(mrns.size).toBeGreaterThan(1);
    for (const mrn of mrns) {
      expect(unstamped(await shared.census.patient(mrn))).toEqual(
        unstamped(await embedded.census.patient(mrn)),
      );
      expect(unstamped(await shared.census.activeVisit(mrn))).toEqual(
        unstamped(await embedded.census.activeVisit(mrn)),
      );
      expect(await shared.census.careTeam(mrn)).toEqual(await embedded.census.careTeam(mrn));
    }
  });
});
