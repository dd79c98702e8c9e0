/**
 * ShiftAdmin's scheduled-shifts report on a local socket: `validationKey`, `type=json`, `sd`/`ed` (the
 * entries whose start date falls in [sd, ed]) and `gid`, answered as `{"status":"success","data":
 * {"scheduledShifts":[…]}}`; a wrong key gets `status: "error"` with a message, as the service answers.
 */
import { readFileSync } from 'node:fs';
import { type SourceServer, startSourceServer } from './source-server.ts';

export interface FakeShiftAdmin extends SourceServer {
  entries: Array<Record<string, unknown>>;
}

export async function startFakeShiftAdmin(options: {
  apiKey: string;
  entries: string;
}): Promise<FakeShiftAdmin> {
  const fake = (await startSourceServer((url) => {
    const json = (body: unknown) => ({
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    });
    if (url.searchParams.get('validationKey') !== options.apiKey) {
      return json({ status: 'error', message: 'Invalid validation key' });
    }
    const sd = url.searchParams.get('sd') ?? '';
    const ed = url.searchParams.get('ed') ?? '';
    const gid = url.searchParams.get('gid');
    const scheduledShifts = fake.entries.filter((e) => {
      const day = String(e.shiftStart).slice(0, 10);
      return day >= sd && day <= ed && (gid === null || String(e.groupID) === gid);
    });
    return json({ status: 'success', data: { scheduledShifts } });
  })) as FakeShiftAdmin;
  fake.entries = JSON.parse(readFileSync(options.entries, 'utf8'));
  return fake;
}
