/**
 * The console's rules workbench: the rule files as text, a draft checked as it is typed (every problem with
 * file, line and key, from the same loader a reload uses), a save that writes the text as typed and reloads,
 * and a replay of stored traffic through the draft. Saves and replays are audited.
 */
import type { FastifyInstance } from 'fastify';
import type { DryRunResult } from '../routing/dry-run.ts';
import { type ReplayReport, replay } from '../routing/replay.ts';
import type { RuleSet } from '../routing/rules/rule-set.ts';
import type { RuleFileText, RuleWorkbench } from '../routing/rules/workbench.ts';
import type { Store, StoredMessage } from '../store/port.ts';
import { STAFF } from './access.ts';
import { type FieldProblem, sendProblem } from './problem.ts';
import { problem } from './schemas.ts';

export interface RuleWorkbenchDeps {
  workbench: RuleWorkbench;
  /** A dry run against the given rules (the draft's), sending nothing. */
  dryRunWith: (rules: RuleSet, raw: Buffer, listener: string, at: Date) => Promise<DryRunResult>;
  store: Pick<Store, 'messages' | 'alerts' | 'audit' | 'ruleEdits'>;
  now: () => Date;
}

/** Messages one replay reads at most: a busy hour of a large hospital's lab and ADT traffic. */
export const MAX_REPLAY = 5000;

export const DRAFT_FILES = {
  type: 'array',
  maxItems: 200,
  description: 'edited rule files (the others are read from the folder)',
  items: {
    type: 'object',
    required: ['name', 'text'],
    properties: {
      name: { type: 'string', minLength: 1, maxLength: 200 },
      text: { type: 'string', maxLength: 1_000_000 },
    },
  },
} as const;

const actorOf = (req: { user?: { username: string } | null }) => req.user?.username ?? 'unknown';

export function ruleWorkbenchRoutes(app: FastifyInstance, deps: RuleWorkbenchDeps): void {
  app.get(
    '/api/rules/files',
    {
      config: { access: STAFF },
      schema: { summary: 'The rule files of config/rules as text, with a version each', tags: ['rules'] },
    },
    async () => ({ files: deps.workbench.files() }),
  );

  app.post<{ Body: { files: RuleFileText[] } }>(
    '/api/rules/check',
    {
      config: { access: STAFF },
      schema: {
        summary:
          'Check a draft (edited files in place of theirs) as a reload would: every problem with line and key',
        tags: ['rules'],
        body: { type: 'object', required: ['files'], properties: { files: DRAFT_FILES } },
      },
    },
    async (req) => {
      const { ok, problems, ruleSet } = deps.workbench.check(req.body.files);
      return { ok, problems, rules: ruleSet?.rules.length ?? 0 };
    },
  );

  app.put<{ Params: { name: string }; Body: { text: string; baseVersion?: string } }>(
    '/api/rules/files/:name',
    {
      config: { access: STAFF },
      schema: {
        summary:
          'Save one rule file exactly as written, once the folder with it loads; then reload (audited)',
        tags: ['rules'],
        params: {
          type: 'object',
          required: ['name'],
          properties: { name: { type: 'string', description: 'file name in config/rules' } },
        },
        body: {
          type: 'object',
          required: ['text'],
          properties: {
            text: { type: 'string', maxLength: 1_000_000 },
            baseVersion: {
              type: 'string',
              description: 'the version read: refused if the file changed since',
            },
          },
        },
        response: {
          409: problem('The file changed on the disk since it was read'),
          503: problem('The store did not take the save; nothing was saved'),
          422: problem('The draft has problems: `errors` lists them with file and line'),
        },
      },
    },
    async (req, reply) => {
      const edit = { name: req.params.name, text: req.body.text };
      let shared = true;
      // Recorded before the file is written: the other instances of a cluster put the same text in
      // their folders (routing/rules/shared-edits.ts), and a save the store did not keep is not made.
      const outcome = await deps.workbench
        .save(edit, req.body.baseVersion, async (replacing) => {
          await deps.store.ruleEdits.record({
            ...edit,
            baseVersion: replacing,
            savedBy: actorOf(req),
            savedAt: deps.now(),
          });
        })
        .catch((err: Error) => {
          req.log.error({ err }, 'a rule save could not be recorded in the store; nothing was saved');
          shared = false;
          return undefined;
        });
      if (!shared || !outcome)
        return sendProblem(
          reply,
          503,
          'rulesNotSaved',
          'The save could not be recorded; nothing was saved',
          'the store did not take the save (see the server log); try again shortly',
        );
      if (!outcome.saved && outcome.reason === 'refused')
        return sendProblem(
          reply,
          422,
          'rulesRefused',
          'Rules refused; nothing was saved',
          undefined,
          outcome.problems as FieldProblem[],
        );
      if (!outcome.saved)
        return sendProblem(
          reply,
          409,
          'ruleFileChanged',
          'The file changed since you opened it',
          `rules/${req.params.name} was changed by someone else; reload it and make the edit again`,
        );
      await deps.store.audit.record({
        at: deps.now(),
        actor: actorOf(req),
        action: 'rules.save',
        subject: `rules/${req.params.name}`,
        detail: `reload ${outcome.reload.ok ? 'ok' : 'refused'}, version ${outcome.reload.version}`,
      });
      return outcome;
    },
  );

  app.post<{ Body: { files?: RuleFileText[]; hours?: number; ids?: number[] } }>(
    '/api/rules/replay',
    {
      config: { access: STAFF },
      schema: {
        summary:
          'Stored traffic (the last N hours, or chosen ids) through the draft rules, nothing sent: the alerts that would appear, vanish or go to someone else',
        tags: ['rules'],
        body: {
          type: 'object',
          properties: {
            files: DRAFT_FILES,
            hours: { type: 'number', exclusiveMinimum: 0, maximum: 168, description: 'the last N hours' },
            ids: { type: 'array', maxItems: MAX_REPLAY, items: { type: 'integer', minimum: 1 } },
          },
        },
        response: { 422: problem('The draft has problems: `errors` lists them') },
      },
    },
    async (req, reply) => {
      const draft = deps.workbench.check(req.body.files ?? []);
      if (!draft.ruleSet)
        return sendProblem(
          reply,
          422,
          'rulesRefused',
          'The draft has problems; fix them to replay',
          undefined,
          draft.problems as FieldProblem[],
        );
      const rules = draft.ruleSet;
      const messages = await selectTraffic(deps, req.body.ids, req.body.hours ?? 1);
      const report: ReplayReport & { truncated?: boolean } = await replay(messages.items, {
        alerts: deps.store.alerts,
        draftRun: (m, at) => deps.dryRunWith(rules, m.raw, m.listener, at),
        mrnOf: (m) => messages.mrn.get(m.id) ?? null,
      });
      if (messages.truncated) report.truncated = true;
      await deps.store.audit.record({
        at: deps.now(),
        actor: actorOf(req),
        action: 'rules.replay',
        subject: 'rules',
        detail: `${report.messages} message(s), ${report.changed} changed`,
      });
      return report;
    },
  );
}

/** The chosen messages, or those of the last `hours`, oldest first (the order they were routed in). */
async function selectTraffic(deps: RuleWorkbenchDeps, ids: number[] | undefined, hours: number) {
  const mrn = new Map<number, string | null>();
  const items: StoredMessage[] = [];
  let truncated = false;
  if (ids?.length) {
    for (const id of ids) {
      const m = await deps.store.messages.get(id);
      if (m) items.push(m);
    }
  } else {
    const since = new Date(deps.now().getTime() - hours * 3_600_000);
    const page = await deps.store.messages.list({ since, limit: MAX_REPLAY });
    truncated = page.total > page.items.length;
    for (const s of page.items.reverse()) {
      mrn.set(s.id, s.patientMrn ?? null);
      const m = await deps.store.messages.get(s.id);
      if (m) items.push(m);
    }
  }
  return { items, mrn, truncated };
}
