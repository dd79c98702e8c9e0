/**
 * `switchboard sources` and `switchboard sync SOURCE [--dry-run]`. Both work on the data folder directly
 * when no Switchboard is running on it. While one is running, `sources` still reads the store (reading
 * needs no claim), a dry run still pulls and diffs here (it writes nothing), and a real sync is asked of
 * the running server over its API (--url, with an admin or analyst API token in SWITCHBOARD_API_TOKEN),
 * so that one process owns the sync state.
 */
import { parseArgs } from 'node:util';
import pino from 'pino';
import { loadSite } from './config/site.ts';
import { systemClock } from './routing/clock.ts';
import { emptyStatus } from './schedules/sync-engine.ts';
import { formatOutcome, formatStatus, outcomeFromJson } from './schedules/sync-report.ts';
import { claimDataFolder, DataFolderInUseError } from './store/owner-lock.ts';
import { openSqliteStore } from './store/sqlite/index.ts';
import { wireScheduleSync } from './wiring/schedule-sync.ts';

const common = {
  config: { type: 'string', default: 'config' },
  data: { type: 'string', default: 'data' },
} as const;

export async function sourcesCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: common });
  const site = loadSite(values.config!, process.env);
  const zone = site.config.site.timezone;
  const store = openSqliteStore(values.data!);
  try {
    if (site.sources.sources.length === 0) {
      process.stdout.write('no scheduling sources in sources.yaml\n');
      return 0;
    }
    const statuses = new Map((await store.scheduleSources.listStatus()).map((s) => [s.sourceId, s]));
    const held = new Map((await store.scheduleSources.listHeld()).map((h) => [h.sourceId, h]));
    const unmapped = await store.scheduleSources.unmapped();
    for (const s of site.sources.sources) {
      const st = statuses.get(s.id) ?? emptyStatus(s.id);
      process.stdout.write(
        formatStatus({ ...st, kind: s.kind, enabled: s.enabled, held: held.get(s.id) ?? null }, zone),
      );
      const rows = unmapped.filter((u) => u.sourceId === s.id).length;
      if (rows) process.stdout.write(`  unmapped:     ${rows} row(s) of the last sync (GET /api/sources)\n`);
    }
    return 0;
  } finally {
    await store.close();
  }
}

export async function syncCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { ...common, 'dry-run': { type: 'boolean', default: false }, url: { type: 'string' } },
  });
  const id = positionals[0];
  if (!id) {
    process.stderr.write('sync needs a SOURCE (its id in sources.yaml; see switchboard sources)\n');
    return 1;
  }
  const site = loadSite(values.config!, process.env);
  const zone = site.config.site.timezone;
  const nameOf = (p: string) => site.directory.person(p)?.name;
  if (!site.sources.sources.some((s) => s.id === id)) {
    process.stderr.write(`no source ${id} in sources.yaml\n`);
    return 1;
  }
  const dryRun = values['dry-run'] === true;
  let claim: ReturnType<typeof claimDataFolder> | undefined;
  if (!dryRun) {
    try {
      claim = claimDataFolder(values.data!);
    } catch (error) {
      if (!(error instanceof DataFolderInUseError)) throw error;
      const url = values.url ?? `http://127.0.0.1:${site.config.http.port}`;
      return syncThroughServer(url, id, zone, nameOf);
    }
  }
  const store = openSqliteStore(values.data!);
  const log = pino({ level: 'warn' }, pino.destination(2));
  try {
    const sync = await wireScheduleSync({
      site,
      store,
      log,
      clock: systemClock,
      failsafe: [],
      paging: () => site.config.paging,
      run: false,
    });
    sync.runner.onProgress((source, fetched) => {
      if (process.stderr.isTTY) process.stderr.write(`\r${source}: ${fetched} shift(s) fetched`);
    });
    const outcome = await sync.runner.syncNow(id, {
      dryRun,
      actor: dryRun ? undefined : `cli:${process.env.USER ?? 'unknown'}`,
    });
    if (process.stderr.isTTY) process.stderr.write('\n');
    await sync.stop();
    process.stdout.write(formatOutcome(outcome, zone, nameOf));
    return outcome.status === 'failed' ? 2 : 0;
  } finally {
    await store.close();
    claim?.release();
  }
}

async function syncThroughServer(
  url: string,
  id: string,
  zone: string,
  nameOf: (id: string) => string | undefined,
): Promise<number> {
  const token = process.env.SWITCHBOARD_API_TOKEN;
  if (!token) {
    process.stderr.write(
      'a Switchboard is running on this data folder: set SWITCHBOARD_API_TOKEN (an analyst or admin API token) to ask it to sync, or use --dry-run\n',
    );
    return 75;
  }
  const res = await fetch(`${url}/api/sources/${encodeURIComponent(id)}/sync`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: '{}',
  });
  const body = await res.json();
  if (!res.ok) {
    process.stderr.write(`${res.status}: ${body.title ?? ''} ${body.detail ?? ''}\n`);
    return 1;
  }
  const outcome = outcomeFromJson(body);
  process.stdout.write(formatOutcome(outcome, zone, nameOf));
  return outcome.status === 'failed' ? 2 : 0;
}
