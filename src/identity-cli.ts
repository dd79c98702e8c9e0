/**
 * `switchboard ldap-sync [--dry-run]`: one LDAP / Active Directory sync now (identity.ldap). A dry run
 * prints the changes it would make and writes nothing, so it also works while Switchboard runs on the
 * data folder; a real run needs the folder to itself (the running server syncs on its own schedule).
 */
import { parseArgs } from 'node:util';
import pino from 'pino';
import { loadSite } from './config/site.ts';
import { describePlan, LdapSync } from './directory/ldap-sync.ts';
import { systemClock } from './routing/clock.ts';
import { OnCallResolver } from './schedules/on-call.ts';
import { claimDataFolder, DataFolderInUseError } from './store/owner-lock.ts';
import { openSqliteStore } from './store/sqlite/index.ts';
import { ldapOptions, wireIdentity } from './wiring/identity.ts';

export const ldapSyncUsage = `  switchboard ldap-sync [--dry-run] [--config DIR] [--data DIR]
      Sync people from LDAP / Active Directory now (identity.ldap) and print each change;
      --dry-run prints what it would change and writes nothing.
`;

export async function ldapSyncCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      config: { type: 'string', default: 'config' },
      data: { type: 'string', default: 'data' },
      'dry-run': { type: 'boolean', default: false },
    },
  });
  const site = loadSite(values.config!, process.env);
  const config = site.config.identity.ldap;
  if (!config.enabled) {
    process.stderr.write('identity.ldap is not enabled in the config folder\n');
    return 1;
  }
  const dryRun = values['dry-run'] === true;
  let claim: ReturnType<typeof claimDataFolder> | undefined;
  if (!dryRun) {
    try {
      claim = claimDataFolder(values.data!);
    } catch (err) {
      if (!(err instanceof DataFolderInUseError)) throw err;
      process.stderr.write(
        `Switchboard is running on ${values.data}: it syncs every ${config.everyMinutes} min by itself. Use --dry-run to see the changes.\n`,
      );
      return 75;
    }
  }
  const store = openSqliteStore(values.data!);
  const log = pino({ level: 'silent' });
  const identity = await wireIdentity({
    store,
    site,
    limits: site.config.identity.sessions,
    oncall: new OnCallResolver(store.schedules),
    raise: async () => undefined,
    failsafe: [],
    clock: systemClock,
    log,
  });
  try {
    const sync = new LdapSync({
      options: ldapOptions(config, values.config!),
      store: store.directory,
      directory: () => site.directory,
      deactivated: identity.deactivated,
      changed: async () => {
        await identity.overlay.refresh();
      },
      now: () => new Date(),
    });
    const plan = await sync.run({ dryRun });
    process.stdout.write(`${dryRun ? 'dry run: nothing written\n' : ''}${describePlan(plan)}`);
    return plan.refused ? 1 : 0;
  } finally {
    identity.stop();
    await store.close();
    claim?.release();
  }
}
