/**
 * The analyst console's API, composed from the running parts: the message browser (path, reprocess,
 * export, resend) and the rules workbench (files, draft check, save, replay, draft dry run).
 */
import type { FastifyInstance } from 'fastify';
import { messageBrowserRoutes } from '../api/message-browser.ts';
import { ruleWorkbenchRoutes } from '../api/rule-workbench.ts';
import type { Clock } from '../routing/clock.ts';
import { dryRun } from '../routing/dry-run.ts';
import type { RecipientResolver } from '../routing/recipient-resolver.ts';
import type { Router } from '../routing/router.ts';
import type { RulesLoadOptions } from '../routing/rules/load.ts';
import type { RuleSet } from '../routing/rules/rule-set.ts';
import type { RulesWatcher } from '../routing/rules/watcher.ts';
import { type RuleFileText, RuleWorkbench } from '../routing/rules/workbench.ts';
import type { Store } from '../store/port.ts';

export interface ConsoleParts {
  store: Store;
  router: Router;
  resolver: RecipientResolver;
  clock: Clock;
  currentRules: () => RuleSet;
  rulesDir: string;
  rules: RulesWatcher | undefined;
  loadOptions: RulesLoadOptions;
}

export function consoleWorkbench(
  parts: Pick<ConsoleParts, 'rulesDir' | 'loadOptions' | 'rules' | 'currentRules'>,
): RuleWorkbench {
  return new RuleWorkbench(parts.rulesDir, parts.loadOptions, () => {
    if (parts.rules) return parts.rules.reload();
    return {
      ok: false,
      ruleSet: parts.currentRules(),
      problems: [{ file: parts.rulesDir, key: '', message: 'no rules folder was loaded at start' }],
    };
  });
}

/** A dry run of `raw` against a draft of the rule files: the draft's problems when it does not load. */
export function draftDryRun(parts: ConsoleParts, workbench: RuleWorkbench) {
  return async (raw: string | Buffer, draft: RuleFileText[], listener?: string, at?: Date) => {
    const checked = workbench.check(draft);
    if (!checked.ruleSet) return { problems: checked.problems };
    return dryRun(raw, {
      rules: checked.ruleSet,
      resolver: parts.resolver,
      clock: parts.clock,
      listener,
      at,
    });
  };
}

export function consoleRoutes(app: FastifyInstance, parts: ConsoleParts, workbench: RuleWorkbench): void {
  const now = () => parts.clock.now();
  messageBrowserRoutes(app, {
    store: parts.store,
    now,
    dryRun: (raw, listener, at) =>
      dryRun(raw, {
        rules: parts.currentRules(),
        resolver: parts.resolver,
        clock: parts.clock,
        listener,
        at,
      }),
    routeAgain: async (m) => {
      parts.router.accept({ messageId: m.id, listener: m.listener, raw: m.raw });
      await parts.router.drained();
    },
  });
  ruleWorkbenchRoutes(app, {
    workbench,
    store: parts.store,
    now,
    dryRunWith: (rules, raw, listener, at) =>
      dryRun(raw, { rules, resolver: parts.resolver, clock: parts.clock, listener, at }),
  });
}
