/**
 * Loads `demographicImports:` (a list, in whichever file of the config folder holds it; none: no import)
 * with every problem located at file, line and key. `${NAME}` in an entry is replaced with the environment
 * variable NAME, as for the scheduling sources (an SFTP password or key).
 */
import type { ConfigProblem } from '../kit/config-errors.ts';
import { SectionChecks } from '../kit/section-checks.ts';
import { readYamlDir, type YamlFile } from '../kit/yaml-files.ts';
import { substituteEnv } from '../schedules/source-config.ts';
import type { DemographicImportSettings } from './demographic-import.ts';
import { readDemographicImport } from './demographic-settings.ts';

export const demographicImportsKey = 'demographicImports';

export function loadDemographicImports(
  source: string | YamlFile,
  env: NodeJS.ProcessEnv,
): { value: DemographicImportSettings[]; problems: ConfigProblem[] } {
  const files = typeof source === 'string' ? readYamlDir(source) : [source];
  const owners = files.filter((f) => {
    const v = f.value;
    return v !== null && typeof v === 'object' && demographicImportsKey in (v as object);
  });
  const problems: ConfigProblem[] = owners.slice(1).map((extra) => ({
    file: extra.name,
    line: extra.lineOf([demographicImportsKey]),
    key: demographicImportsKey,
    message: `already set in ${owners[0].name}; a top-level key lives in one file`,
  }));
  const value: DemographicImportSettings[] = [];
  const file = owners[0];
  if (!file) return { value, problems };
  const checks = new SectionChecks(file);
  const seen = new Set<string>();
  checks
    .list((file.value as Record<string, unknown>)[demographicImportsKey], [demographicImportsKey])
    .forEach((raw, i) => {
      const path = [demographicImportsKey, i];
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
        checks.report(path, 'must be a mapping of keys');
        return;
      }
      const report = (key: string, message: string) => checks.report([...path, ...key.split('.')], message);
      const settings = readDemographicImport(
        substituteEnv(raw as Record<string, unknown>, env, report),
        report,
      );
      if (!settings) return;
      if (seen.has(settings.id)) checks.report([...path, 'id'], `import ${settings.id} is listed twice`);
      seen.add(settings.id);
      value.push(settings);
    });
  return { value, problems: [...problems, ...checks.problems] };
}
