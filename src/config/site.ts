import { join, resolve } from 'node:path';
import { loadPushClients, type PushClient } from '../api/push-clients.ts';
import { loadCoverage } from '../census/coverage-load.ts';
import type { CoveragePlan } from '../census/coverage-plan.ts';
import type { ConnectorSettings } from '../connectors/connector.ts';
import { connectorKinds } from '../connectors/kinds.ts';
import { loadConnectors } from '../connectors/settings.ts';
import { loadDemographicImports } from '../directory/demographic-config.ts';
import type { DemographicImportSettings } from '../directory/demographic-import.ts';
import type { Directory } from '../directory/directory.ts';
import { loadDirectory } from '../directory/load.ts';
import { externalIdKinds } from '../directory/types.ts';
import { ConfigError, type ConfigProblem } from '../kit/config-errors.ts';
import { checkTemplate } from '../routing/ehr/deep-links.ts';
import type { RecipientSpec } from '../routing/rules/types.ts';
import { loadSchedules, type ScheduleConfig } from '../schedules/load.ts';
import { loadSources, type SourceConfig } from '../schedules/source-config.ts';
import { PUSH_KIND } from '../schedules/sources/push.ts';
import { loadConfig } from './load.ts';
import type { SwitchboardConfig } from './types.ts';

/** Everything the config folder says about the hospital, checked together. */
export interface Site {
  configDir: string;
  config: SwitchboardConfig;
  directory: Directory;
  schedules: ScheduleConfig;
  /** The scheduling systems synced into the store (sources.yaml). */
  sources: SourceConfig;
  coverage: CoveragePlan;
  /** Where schedule changes go out (connectors.yaml). */
  connectors: ConnectorSettings[];
  /** The scheduling systems allowed to push shifts to push sources (pushClients:, push-clients.yaml). */
  pushClients: PushClient[];
  /** Contact points imported into the directory overlay from dropped CSV files (demographicImports:). */
  demographicImports: DemographicImportSettings[];
  rulesDir: string;
}

/**
 * Loads the config folder: settings, directory, schedules and coverage (rules are loaded by the
 * RulesWatcher, which keeps them current). Every problem in every file is reported at once.
 */
export function loadSite(configDir: string, env: NodeJS.ProcessEnv, now = new Date()): Site {
  const dir = resolve(configDir);
  const config = loadConfig(dir, env);
  const problems: ConfigProblem[] = [];
  const directory = take(loadDirectory(dir), problems);
  const knownPeople = (id: string) => directory.person(id) !== undefined;
  const schedules = take(
    loadSchedules(dir, { zone: config.site.timezone, knownPeople, configDir: dir, now }),
    problems,
  );
  const coverage = take(loadCoverage(dir, { knownPeople, configDir: dir }), problems);
  const sources = take(
    loadSources(dir, {
      env,
      assignments: new Set(schedules.assignments.map((a) => a.id)),
      idKinds: ['id', ...externalIdKinds],
    }),
    problems,
  );
  const demographicImports = take(loadDemographicImports(dir, env), problems);
  const pushed = loadPushClients(dir, (id) => isPushSource(sources, id));
  problems.push(...pushed.problems);
  const knownAssignments = new Set(schedules.assignments.map((a) => a.id));
  const connectors = take(
    loadConnectors(dir, { kinds: connectorKinds, env, knownAssignment: (id) => knownAssignments.has(id) }),
    problems,
  );
  if (config.routing.failsafeGroup && !directory.group(config.routing.failsafeGroup)) {
    problems.push({
      file: 'switchboard.yaml',
      key: 'routing.failsafeGroup',
      message: `no group ${config.routing.failsafeGroup} in the directory`,
    });
  }
  if (config.routing.coverageWarningMinutes && !config.routing.failsafeGroup) {
    problems.push({
      file: 'switchboard.yaml',
      key: 'routing.coverageWarningMinutes',
      message: 'needs routing.failsafeGroup: the coverage-gap warning goes to that group',
    });
  }
  config.censusImports.forEach((imp, i) => {
    const key = `censusImports.${i}`;
    if (imp.kind === 'staff-rest' && !imp.url)
      problems.push({
        file: 'switchboard.yaml',
        key: `${key}.url`,
        message: 'a staff-rest import needs the url of the export',
      });
    if (imp.kind !== 'staff-rest' && !imp.folder === !imp.sftp)
      problems.push({
        file: 'switchboard.yaml',
        key: `${key}.folder`,
        message: 'give either folder (on this machine) or sftp, not both or neither',
      });
  });
  config.ehr.links.forEach((link, i) => {
    const wrong = checkTemplate(link.template);
    if (wrong) problems.push({ file: 'switchboard.yaml', key: `ehr.links.${i}.template`, message: wrong });
  });
  config.accounts.forEach((a, i) => {
    if (a.person && !directory.person(a.person)) {
      problems.push({
        file: 'accounts',
        key: `accounts.${i}.person`,
        message: `no person ${a.person} in the directory`,
      });
    }
  });
  if (problems.length) throw new ConfigError(problems);
  return {
    configDir: dir,
    config,
    directory,
    schedules,
    sources,
    coverage,
    connectors,
    pushClients: pushed.clients,
    demographicImports,
    rulesDir: join(dir, config.routing.rulesDir),
  };
}

/** Whether `id` is a source of kind push in sources.yaml (one the push API may write). */
export function isPushSource(sources: SourceConfig, id: string): boolean {
  return sources.sources.some((s) => s.id === id && s.kind === PUSH_KIND);
}

/** A rule may only name people, groups and assignments that exist. */
export function recipientChecker(site: Pick<Site, 'directory' | 'schedules'>) {
  const assignments = new Set(site.schedules.assignments.map((a) => a.id));
  return (spec: RecipientSpec): string | undefined => {
    if (spec.kind === 'person' && !site.directory.person(spec.id))
      return `no person ${spec.id} in the directory`;
    if (spec.kind === 'group' && !site.directory.group(spec.id))
      return `no group ${spec.id} in the directory`;
    if (spec.kind === 'onCall' && !assignments.has(spec.assignment))
      return `no assignment ${spec.assignment} in the schedules`;
    return undefined;
  };
}

function take<T>(result: { value: T; problems: ConfigProblem[] }, into: ConfigProblem[]): T {
  into.push(...result.problems);
  return result.value;
}
