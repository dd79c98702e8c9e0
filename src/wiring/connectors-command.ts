/**
 * `switchboard connectors`: the connectors of a config folder and their state in a data folder, read
 * directly (as `messages` does). `list` (the default): each connector, its cursor, queue and dead jobs;
 * `log ID`: its delivery log; `resync ID`: writes the whole window as jobs, which the running
 * Switchboard sends; `redrive ID`: its dead jobs back in the queue.
 */
import { parseArgs } from 'node:util';
import pino from 'pino';
import { loadSite } from '../config/site.ts';
import { ConnectorCycle } from '../connectors/connector-cycle.ts';
import { connectorKinds } from '../connectors/kinds.ts';
import { openSqliteStore } from '../store/sqlite/index.ts';

export const connectorsUsage = `  switchboard connectors [list | log ID | resync ID | redrive ID] [--config DIR] [--data DIR] [--limit N]
      The connectors (connectors.yaml): cursor, queue and dead jobs; a connector's delivery log; a full
      resend of its window (sent by the running router); its dead jobs back in the queue.
`;

export async function connectorsCommand(
  args: string[],
  out: NodeJS.WritableStream = process.stdout,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      config: { type: 'string', default: 'config' },
      data: { type: 'string', default: 'data' },
      limit: { type: 'string', default: '30' },
    },
  });
  const [action = 'list', id] = positionals;
  const site = loadSite(values.config!, process.env);
  const settings = id ? site.connectors.find((c) => c.id === id) : undefined;
  if (action !== 'list' && !settings) {
    out.write(`no connector ${id ?? '(give its id)'} in connectors.yaml\n`);
    return 1;
  }
  const store = openSqliteStore(values.data!);
  try {
    const now = new Date();
    if (action === 'list') {
      for (const c of site.connectors) {
        const channel = `connector:${c.kind}`;
        const mine = async (state: 'pending' | 'dead') =>
          (await store.outbox.list({ state, channel, limit: 10_000 })).filter((d) =>
            d.target.startsWith(`${c.id}:`),
          );
        const [pending, dead] = [await mine('pending'), await mine('dead')];
        const cursor = await store.connectors.cursor(c.id);
        out.write(
          `${c.id}\t${c.kind}\t${c.enabled ? 'enabled' : 'disabled'}\tcursor ${cursor ?? '-'}\t${pending.length} pending\t${dead.length} dead\n`,
        );
        for (const d of dead) out.write(`   dead #${d.id} ${d.target}: ${d.lastError ?? ''}\n`);
      }
      return 0;
    }
    const c = settings!;
    if (action === 'log') {
      for (const e of await store.connectors.log(c.id, { limit: Number(values.limit) })) {
        out.write(
          `${e.at.toISOString()}\t${e.outcome}\t${e.deliveryId ?? '-'}\t${e.target}\t${e.summary}\t${e.answer ?? ''}\n`,
        );
      }
      return 0;
    }
    if (action === 'redrive') {
      out.write(
        `${await store.connectors.redrive(c.id, 'all', now)} dead jobs of ${c.id} back in the queue\n`,
      );
      return 0;
    }
    if (action === 'resync') {
      const assignments = new Map(site.schedules.assignments.map((a) => [a.id, a]));
      const cycle = new ConnectorCycle({
        settings: [c],
        kinds: connectorKinds,
        store: store.connectors,
        outbox: store.outbox,
        feed: store.schedules,
        planning: {
          directory: () => site.directory,
          assignment: (a) => assignments.get(a),
          zone: site.config.site.timezone,
          now: () => now,
        },
        fetch,
        log: pino({ level: 'warn' }),
      });
      out.write(`${await cycle.resync(c.id)} jobs written for ${c.id}; the running Switchboard sends them\n`);
      return 0;
    }
    out.write(`unknown action ${action}\n${connectorsUsage}`);
    return 1;
  } finally {
    await store.close();
  }
}
