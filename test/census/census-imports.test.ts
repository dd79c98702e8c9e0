/**
 * Census and nurse assignments from outside ADT, in a running Switchboard: a census CSV dropped in a
 * folder admits and moves patients and discharges one missing from two files in a row; a bad file is
 * rejected with its reason and changes nothing; a staff assignment CSV and a nurse call system's JSON export
 * (Rauland-style, over HTTP) decide who covers a bed, so a message to "the nurse covering the patient"
 * follows them; a staff id that names nobody is reported, never guessed.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/routing/clock.ts';
import { signIn, startTestSwitchboard, type TestSwitchboard } from '../support/harness.ts';
import { writeBehaviourHospital } from '../support/hospital.ts';

describe('census and staff assignments from files and a nurse call export', () => {
  let sb: TestSwitchboard;
  let analyst: string;
  let nurse: string;
  let server: Server;
  let roster: unknown = [];
  const censusDir = mkdtempSync(join(tmpdir(), 'sb-census-drop-'));
  const staffDir = mkdtempSync(join(tmpdir(), 'sb-staff-drop-'));

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.headers.authorization !== 'Bearer nurse-call-token') {
        res.writeHead(401).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(roster));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/assignments`;
    const configDir = await writeBehaviourHospital();
    const directory = join(configDir, 'directory.yaml');
    writeFileSync(
      directory,
      readFileSync(directory, 'utf8').replace(
        '{ id: rn-day, name: Day Nurse, contacts:',
        '{ id: rn-day, name: Day Nurse, ids: { employeeId: E100 }, contacts:',
      ),
    );
    const sw = join(configDir, 'switchboard.yaml');
    writeFileSync(
      sw,
      `${readFileSync(sw, 'utf8')}censusImports:
  - { id: adt-backup, kind: census-csv, folder: '${censusDir}', settleSeconds: 0, everyMinutes: 600 }
  - { id: staffing, kind: staff-csv, folder: '${staffDir}', settleSeconds: 0, everyMinutes: 600, columns: { staff: employee } }
  - { id: nurse-call, kind: staff-rest, url: '${url}', token: '\${NURSE_CALL_TOKEN}', everyMinutes: 600, columns: { staff: staffId, beds: rooms } }
`,
    );
    sb = await startTestSwitchboard({
      configDir,
      env: { NURSE_CALL_TOKEN: 'nurse-call-token' },
      clock: new ManualClock('2026-11-22T14:30:00Z'),
      cycle: false,
    });
    analyst = await signIn(sb.httpUrl, 'analyst');
    nurse = await signIn(sb.httpUrl, 'dr.one');
  }, 60_000);

  afterAll(async () => {
    await sb?.cleanup();
    server?.close();
  });

  const run = async (id: string) => {
    const res = await fetch(`${sb.httpUrl}/api/census-imports/${id}/run`, {
      method: 'POST',
      headers: { authorization: `Bearer ${analyst}` },
    });
    expect(res.status).toBe(200);
    return (await res.json()) as {
      lastError: string | null;
      lastCounts: Record<string, number>;
      unmatched: unknown[];
    };
  };
  let fileNo = 0;
  const drop = (dir: string, text: string) => {
    const file = join(dir, `export-${++fileNo}.csv`);
    writeFileSync(file, text);
    // An older modification time: the file has settled.
    utimesSync(file, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
  };

  it('applies census files as a whole, discharges after two misses, and rejects a bad file untouched', async () => {
    drop(censusDir, 'mrn,family,given,unit,room,bed\nC1,ALVAREZ,ANA,5E,510,B\nC2,BERG,BO,5E,511,A\n');
    expect(await run('adt-backup')).toMatchObject({
      lastError: null,
      lastCounts: { patients: 2, admittedOrMoved: 2 },
    });
    expect((await sb.store.census.activeVisit('C1'))?.location).toMatchObject({
      unit: '5E',
      room: '510',
      bed: 'B',
    });

    drop(censusDir, 'mrn,family,given,unit,room,bed\nC1,ALVAREZ,ANA,5E,512,A\n');
    expect((await run('adt-backup')).lastCounts).toMatchObject({
      admittedOrMoved: 1,
      discharged: 0,
      missing: 1,
    });
    expect((await sb.store.census.activeVisit('C1'))?.location.room).toBe('512');
    expect(await sb.store.census.activeVisit('C2')).toBeDefined();

    drop(censusDir, 'mrn,family,given,unit,room\nC1,ALVAREZ,ANA,5E,512\nC1,ALVAREZ,ANA,5E,513\n');
    const bad = await run('adt-backup');
    expect(bad.lastError).toMatch(/C1 is listed twice/);
    expect(readdirSync(join(censusDir, 'rejected')).some((f) => f.endsWith('.reason.txt'))).toBe(true);
    expect((await sb.store.census.activeVisit('C1'))?.location.room).toBe('512');

    drop(censusDir, 'mrn,family,given,unit,room,bed\nC1,ALVAREZ,ANA,5E,510,B\n');
    expect((await run('adt-backup')).lastCounts).toMatchObject({ discharged: 1 });
    expect(await sb.store.census.activeVisit('C2')).toBeUndefined();
    expect(existsSync(join(censusDir, 'processed'))).toBe(true);
  });

  it('lets a staff file and then the nurse call export decide who covers the bed, reporting unknown staff', async () => {
    const coveringNurse = async () => {
      const res = await fetch(`${sb.httpUrl}/api/conversations`, {
        method: 'POST',
        headers: { authorization: `Bearer ${nurse}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          to: { kind: 'coverage', role: 'nurse' },
          patientMrn: 'C1',
          body: 'Fall risk, please check',
        }),
      });
      return { status: res.status, json: (await res.json()) as { recipients?: unknown; detail?: string } };
    };
    expect((await coveringNurse()).status).toBe(422);

    drop(
      staffDir,
      'employee,role,unit,beds,start,end\nE100,nurse,5E,510-B,07:00,19:00\nE999,nurse,5E,511-A,07:00,19:00\n',
    );
    const staffed = await run('staffing');
    expect(staffed).toMatchObject({ lastError: null, lastCounts: { entries: 1, unmatched: 1 } });
    expect(staffed.unmatched).toEqual([
      { line: 3, staff: 'E999', reason: 'matches nobody in the directory' },
    ]);
    const sent = await coveringNurse();
    expect(sent.status, JSON.stringify(sent.json)).toBe(201);
    expect(sent.json.recipients).toEqual([
      { personId: 'rn-day', name: 'Day Nurse', reason: 'nurse covering 5E 510-B' },
    ]);

    roster = [
      { staffId: 'E100', role: 'nurse', unit: '5E', rooms: ['512-A', '510-B'], start: '07:00', end: '19:00' },
    ];
    expect(await run('nurse-call')).toMatchObject({
      lastError: null,
      lastCounts: { entries: 1, unmatched: 0 },
    });
    roster = { notAList: true };
    expect((await run('nurse-call')).lastError).toMatch(/not a list/);
    // A failed pull changes nothing: the last good roster stays.
    expect((await coveringNurse()).status).toBe(201);
  });
});
