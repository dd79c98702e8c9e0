/**
 * Two instances on one PostgreSQL database share the cluster's duties (wiring/duty-roster.ts): a
 * scheduling source is pulled by exactly one of them, health says which, and after a kill -9 of that one
 * the other takes the source over once its lease lapses. Each instance reads the same source (`rota`, one
 * lease) from its own path of one iCalendar server, so the test can tell who pulled.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type IcalServer, rotaSourceFiles, startIcalServer, until } from '../support/duties.ts';
import { writeTestConfig } from '../support/harness.ts';
import {
  createTestSchema,
  dropTestSchema,
  sqlInSchema,
  testDatabaseUrl,
} from '../support/postgres-schema.ts';
import { killLeftoverSwitchboardChildren, startSwitchboardChild } from '../support/switchboard-child.ts';

const LEASE_SECONDS = 3;
const schema = await createTestSchema();
const ical: IcalServer = await startIcalServer();
const dirs: string[] = [];
afterAll(async () => {
  killLeftoverSwitchboardChildren();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  await ical.close();
  await dropTestSchema(schema);
});

interface Health {
  instance: string;
  leases: { held: string[]; standingBy: string[] };
}

/** An instance in a child process on the shared schema, reading `rota` from `/<path>/rota.ics`. */
async function instance(path: string) {
  const store = `store:\n  driver: postgres\n  url: ${testDatabaseUrl}\n  schema: ${schema}\ncluster:\n  leaseSeconds: ${LEASE_SECONDS}\n`;
  const configDir = writeTestConfig(rotaSourceFiles(`${ical.url}/${path}/rota.ics`), store);
  const dataDir = mkdtempSync(join(tmpdir(), `sb-duties-${path}-`));
  dirs.push(configDir, dataDir);
  const { child, http } = await startSwitchboardChild(configDir, dataDir);
  return {
    path,
    child,
    health: async () => (await (await fetch(`http://127.0.0.1:${http}/api/health`)).json()) as Health,
  };
}

const sql = sqlInSchema(schema);

describe('duties across two instances on PostgreSQL', () => {
  it('one instance pulls the source; after a kill -9 of it the other takes the source over', async () => {
    const [a, b] = await Promise.all([instance('a'), instance('b')]);
    await until('a first pull', () => ical.pulls('a') + ical.pulls('b') > 0);
    const [onDuty, standby] = ical.pulls('a') > 0 ? [a, b] : [b, a];
    const [dutyHealth, standbyHealth] = await Promise.all([onDuty.health(), standby.health()]);
    expect(dutyHealth.leases.held).toContain('schedule-source:rota');
    expect(standbyHealth.leases.standingBy).toContain('schedule-source:rota');
    expect(standbyHealth.leases.held).not.toContain('schedule-source:rota');
    // Every other duty is held by one of them, none by both.
    expect([...dutyHealth.leases.held, ...standbyHealth.leases.held].sort()).toEqual(
      [...dutyHealth.leases.held, ...dutyHealth.leases.standingBy].sort(),
    );

    // Several lease rounds of both: the one standing by pulls nothing.
    await new Promise((resolve) => setTimeout(resolve, 2 * LEASE_SECONDS * 1000));
    expect(ical.pulls(standby.path)).toBe(0);
    expect((await standby.health()).leases.held).not.toContain('schedule-source:rota');

    // The next pull falls due now, so the survivor pulls as soon as it has the source.
    await sql('UPDATE schedule_source_status SET next_run_at = $1', [Date.now()]);
    const [before] = await sql<{ holder: string; term: number }>(
      "SELECT holder, term FROM leases WHERE name = 'schedule-source:rota'",
    );
    expect(before.holder).toBe(dutyHealth.instance);
    const pulledByDead = ical.pulls(onDuty.path);
    onDuty.child.kill('SIGKILL');
    await new Promise((resolve) => onDuty.child.once('exit', resolve));

    await until('the survivor to pull the source', () => ical.pulls(standby.path) > 0);
    expect(ical.pulls(onDuty.path)).toBe(pulledByDead);
    const survivor = await standby.health();
    expect(survivor.leases.held).toContain('schedule-source:rota');
    expect(survivor.leases.standingBy).toEqual([]);
    const [after] = await sql<{ holder: string; term: number }>(
      "SELECT holder, term FROM leases WHERE name = 'schedule-source:rota'",
    );
    expect(after.holder).toBe(survivor.instance);
    expect(Number(after.term)).toBeGreaterThan(Number(before.term));
    standby.child.kill('SIGTERM');
    await new Promise((resolve) => standby.child.once('exit', resolve));
  });
});
