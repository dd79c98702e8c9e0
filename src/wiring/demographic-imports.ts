/**
 * Runs each demographic import of the config (demographicImports:) on its own timer: the folder is looked
 * at every `everyMinutes`, a waiting file is applied to the directory overlay, and what happened is logged
 * (counts, and each row left out with its line, key and reason; never the contact values). A failure to
 * reach the folder is logged and tried again at the next turn: the overlay keeps what it has.
 */
import type { Logger } from 'pino';
import type { Site } from '../config/site.ts';
import { DemographicImport, type DemographicImportOutcome } from '../directory/demographic-import.ts';
import type { FindPeople } from '../schedules/mapping.ts';
import type { Store } from '../store/port.ts';
import type { DutyRoster } from './duty-roster.ts';

export interface DemographicImportsOptions {
  site: Site;
  store: Store;
  log: Logger;
  now: () => Date;
  /** The directory's crosswalk (wiring/schedule-sync.ts crosswalkLookup). */
  findPeople: FindPeople;
  /** Start the timers. @defaultValue true */
  run?: boolean;
  /**
   * The instance's roster of cluster duties: each import is one (`demographic-import:<id>`), so a cluster
   * applies each file from one instance. Absent, this instance runs every import.
   */
  duties?: DutyRoster;
}

export interface DemographicImports {
  /** Looks at one import's folder now. */
  runNow(id: string): Promise<DemographicImportOutcome>;
  stop(): Promise<void>;
}

export function wireDemographicImports(o: DemographicImportsOptions): DemographicImports {
  const log = o.log.child({ part: 'demographic-import' });
  const imports = new Map<string, DemographicImport>();
  const running = new Map<string, Promise<DemographicImportOutcome>>();
  const timers: NodeJS.Timeout[] = [];
  let stopped = false;
  for (const settings of o.site.demographicImports) {
    imports.set(
      settings.id,
      new DemographicImport(settings, {
        overlay: o.store.directory,
        findPeople: o.findPeople,
        configDir: o.site.configDir,
        now: o.now,
      }),
    );
  }

  const runNow = (id: string): Promise<DemographicImportOutcome> => {
    const importer = imports.get(id);
    if (!importer) return Promise.reject(new Error(`no demographic import ${id}`));
    const before = running.get(id) ?? Promise.resolve(undefined);
    const run = before.catch(() => undefined).then(() => importer.runOnce());
    running.set(id, run);
    void run
      .then((outcome) => report(id, outcome))
      .catch(() => {})
      .finally(() => {
        if (running.get(id) === run) running.delete(id);
      });
    return run;
  };

  const report = (id: string, outcome: DemographicImportOutcome) => {
    if (outcome.status === 'nothing') return;
    if (outcome.status === 'rejected') {
      log.warn(
        { import: id, file: outcome.file, problems: outcome.problems.length },
        'demographic file rejected: nothing changed',
      );
      return;
    }
    log.info(
      {
        import: id,
        file: outcome.file,
        updated: outcome.updated.length,
        unchanged: outcome.unchanged,
        reported: outcome.reported.length,
      },
      'demographic file applied',
    );
    for (const r of outcome.reported) {
      log.warn(
        { import: id, file: outcome.file, line: r.line, key: r.key, reason: r.reason },
        'demographic row not applied',
      );
    }
  };

  if (o.run !== false) {
    for (const settings of o.site.demographicImports) {
      const once = () =>
        runNow(settings.id).then(
          () => undefined,
          (error: unknown) =>
            log.warn(
              { import: settings.id, error: (error as Error).message },
              'demographic import failed; tried again next turn',
            ),
        );
      if (o.duties) {
        o.duties.every(`demographic-import:${settings.id}`, settings.everyMinutes * 60_000, async () => {
          if (!stopped) await once();
        });
        continue;
      }
      const turn = () => stopped || void once();
      const timer = setInterval(turn, settings.everyMinutes * 60_000);
      timer.unref();
      timers.push(timer);
      setImmediate(turn);
    }
  }

  return {
    runNow,
    async stop() {
      stopped = true;
      for (const t of timers) clearInterval(t);
      await Promise.allSettled([...running.values()]);
    },
  };
}
