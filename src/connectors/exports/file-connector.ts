/**
 * A file export as a connector kind on the framework (connector.ts): its cadence (every N minutes, daily,
 * per pay period) plans one job per run, which a newer run replaces while it waits (a backlog of files is
 * one file: the newest schedule). The job carries no schedule: the sender writes the file at send time
 * from the store, streamed, so its size never matters to the outbox. A failed delivery is retried with
 * the connector's backoff and dead-lettered with the reason, like every connector's.
 */
import type { SectionChecks } from '../../kit/section-checks.ts';
import type { ExportStateStore } from '../../store/export-port.ts';
import type { Delivery } from '../../store/outbox-port.ts';
import type { ScheduleStore } from '../../store/schedule-port.ts';
import {
  type Connector,
  type ConnectorKind,
  type ConnectorSender,
  type ConnectorSettings,
  channelOf,
  connectorOfTarget,
  emptyPlan,
  type KindContext,
  targetOf,
} from '../connector.ts';
import { TargetError } from '../errors.ts';
import { FileDeliveryError } from '../files/file-target.ts';
import {
  CompiledLayout,
  type FileLayout,
  type LayoutOverride,
  layoutProblems,
  mergeLayout,
} from '../files/layout.ts';
import { type ActionWords, defaultActions, type WrittenFile, writeExportFile } from './export-file.ts';
import type { ExportRun, FileExportKind } from './export-kind.ts';
import { endFileThread, prepareFileThread } from './file-on-thread.ts';
import { fileTargetOf, fileTargetProblem, type SharedFileOptions } from './file-target-options.ts';
import { kindOnThread } from './thread-kinds.ts';

/** What the file exports read besides the framework's context. */
export interface FileExportDeps {
  schedules: ScheduleStore;
  exportState: ExportStateStore;
}

export interface FileExportOptions<O> extends SharedFileOptions {
  layout?: LayoutOverride;
  actions: ActionWords;
  kind: O;
}

const sharedKeys = ['hostKey', 'layout', 'actions'];
const layoutKeys: Array<keyof FileLayout> = [
  'columns',
  'header',
  'delimiter',
  'quote',
  'lineEnding',
  'dateFormat',
  'timeFormat',
  'dateTimeFormat',
  'timeZone',
  'booleans',
  'spreadsheetSafe',
  'fileName',
];

/** Skips written to the delivery log per file (the rest are counted in the file's answer). */
const MAX_SKIPS_LOGGED = 50;

interface FileJobPayload {
  connector: string;
  /** When the run was planned (the file itself is written from the schedule at send time). */
  plannedAt: string;
}

export function fileExportKind<O>(
  kind: FileExportKind<O>,
  deps: FileExportDeps,
): ConnectorKind<FileExportOptions<O>> {
  return {
    kind: kind.kind,
    optionKeys: [...sharedKeys, ...kind.optionKeys],
    cadences: ['every', 'daily', 'payPeriod'],
    readOptions(raw, checks, path) {
      const options = raw ?? {};
      const layout = readLayout(kind, options.layout, checks, [...path, 'layout']);
      const actions = checks.mapping(
        options.actions ?? {},
        [...path, 'actions'],
        ['add', 'change', 'delete'],
      );
      const hostKey = checks.text(options.hostKey, [...path, 'hostKey'], false);
      return {
        hostKey,
        layout,
        actions: {
          add: checks.text(actions?.add, [...path, 'actions', 'add'], false) ?? defaultActions.add,
          change:
            checks.text(actions?.change, [...path, 'actions', 'change'], false) ?? defaultActions.change,
          delete:
            checks.text(actions?.delete, [...path, 'actions', 'delete'], false) ?? defaultActions.delete,
        },
        kind: kind.readOptions(options, checks, path),
      };
    },
    create: (settings, ctx) => {
      const problem = fileTargetProblem(settings.target, settings.options.hostKey);
      if (problem) ctx.log.warn({ connector: settings.id }, `file export ${settings.id}: ${problem}`);
      return new FileExportConnector(settings);
    },
    sender: (ctx) => new FileExportSender(kind, deps, ctx as KindContext),
  };
}

function readLayout<O>(
  kind: FileExportKind<O>,
  raw: unknown,
  checks: SectionChecks,
  path: Array<string | number>,
): LayoutOverride | undefined {
  if (raw === undefined || raw === null) return undefined;
  const m = checks.mapping(raw, path, layoutKeys);
  if (!m) return undefined;
  const override = m as LayoutOverride;
  // Checked against the shipped layout in UTC; the site's zone replaces UTC when the connector is built.
  const merged = mergeLayout(kind.defaultLayout('UTC'), override);
  for (const p of layoutProblems(merged, [...kind.fields, ...(kind.deltas ? ['action'] : [])])) {
    checks.report([...path, ...p.key.split('.').map((k) => (/^\d+$/.test(k) ? Number(k) : k))], p.message);
  }
  return override;
}

class FileExportConnector implements Connector {
  constructor(readonly settings: ConnectorSettings<FileExportOptions<unknown>>) {}

  async planChanges() {
    return emptyPlan();
  }

  async planWindow(_shifts: unknown, _window: unknown, ctx: { now: () => Date }) {
    const payload: FileJobPayload = { connector: this.settings.id, plannedAt: ctx.now().toISOString() };
    return {
      jobs: [
        {
          channel: channelOf(this.settings.kind),
          target: targetOf(this.settings.id, 'file'),
          payload,
          alertId: null,
          coalesceKey: `${this.settings.id}:file`,
        },
      ],
    };
  }
}

class FileExportSender<O> implements ConnectorSender {
  private readonly byId: Map<string, ConnectorSettings<FileExportOptions<O>>>;
  private readonly layouts = new Map<string, CompiledLayout>();
  /** Stops the files being made when the sender stops (a file's thread ends with it). */
  private readonly stopping = new AbortController();

  constructor(
    private readonly kind: FileExportKind<O>,
    private readonly deps: FileExportDeps,
    private readonly ctx: KindContext,
  ) {
    this.byId = new Map(
      ctx.connectors.map((c) => [c.id, c as unknown as ConnectorSettings<FileExportOptions<O>>]),
    );
  }

  async send(job: Delivery): Promise<string> {
    const settings = this.byId.get(connectorOfTarget(job.target));
    if (!settings) throw new TargetError(`no ${this.kind.kind} connector for ${job.target}`, true);
    const problem = fileTargetProblem(settings.target, settings.options.hostKey);
    if (problem) throw new TargetError(`${settings.id}: ${problem}`, true);
    const skips = new Map<string, string>();
    const run = this.runOf(settings, skips);
    let written: WrittenFile;
    try {
      written = await writeExportFile(
        this.kind,
        run,
        this.layoutOf(settings),
        fileTargetOf(settings),
        this.deps.exportState,
        settings.options.actions,
        this.stopping.signal,
      );
    } catch (e) {
      if (e instanceof FileDeliveryError) throw new TargetError(e.message, e.permanent);
      throw e;
    }
    if (skips.size > 0) {
      this.ctx.log.warn({ connector: settings.id, skipped: skips.size }, `${settings.id}: rows left out`);
      // In the delivery log (API, CLI) as the framework's own skips are: whom, and why.
      const at = this.ctx.planning.now();
      await this.ctx.store.record(
        [...skips].slice(0, MAX_SKIPS_LOGGED).map(([subject, reason]) => ({
          connectorId: settings.id,
          deliveryId: job.id,
          at,
          outcome: 'skipped' as const,
          target: settings.target,
          summary: `${subject} ${reason}`,
          answer: null,
        })),
      );
    }
    return describeWritten(written, skips);
  }

  /**
   * Starts the thread that makes this kind's files, when it has one (writeExportFile), so that the first
   * file finds it ready instead of paying its start (bench/exports).
   */
  async start(): Promise<void> {
    const reader = kindOnThread(this.kind.kind) ? this.deps.schedules.shiftReaderForThread?.() : undefined;
    if (reader) await prepareFileThread(reader);
  }

  async close(): Promise<void> {
    this.stopping.abort();
    await endFileThread();
  }

  describe(job: Delivery): { target: string; summary: string } {
    const settings = this.byId.get(connectorOfTarget(job.target));
    return { target: settings?.target ?? job.target, summary: `${this.kind.kind} file` };
  }

  /** What a run reads; exported through the sender so tests and the benchmark run the same code. */
  runOf(settings: ConnectorSettings<FileExportOptions<O>>, skips: Map<string, string>): ExportRun<O> {
    const planning = this.ctx.planning;
    return {
      connectorId: settings.id,
      at: planning.now(),
      zone: planning.zone,
      schedules: this.deps.schedules,
      directory: planning.directory(),
      assignment: planning.assignment,
      mapped: settings.assignments,
      personId: settings.personId,
      window: settings.window,
      include: settings.include,
      options: settings.options.kind,
      skip: (subject, reason) => skips.set(subject, reason),
    };
  }

  private layoutOf(settings: ConnectorSettings<FileExportOptions<O>>): CompiledLayout {
    let layout = this.layouts.get(settings.id);
    if (!layout) {
      layout = new CompiledLayout(
        mergeLayout(this.kind.defaultLayout(this.ctx.planning.zone), settings.options.layout),
      );
      this.layouts.set(settings.id, layout);
    }
    return layout;
  }
}

function describeWritten(w: WrittenFile, skips: ReadonlyMap<string, string>): string {
  const left = [...skips].slice(0, 5).map(([who, why]) => `${who} ${why}`);
  return (
    `${w.location}: ${w.mode} file, ${w.rows} rows, ${w.bytes} bytes` +
    (skips.size > 0 ? `; left out ${skips.size}: ${left.join('; ')}${skips.size > 5 ? '; ...' : ''}` : '')
  );
}
