import { Ajv, type ErrorObject } from 'ajv';
import { parse as parseYamlScalar } from 'yaml';
import { ConfigError, type ConfigProblem } from '../kit/config-errors.ts';
import { readYamlDir, type YamlFile } from '../kit/yaml-files.ts';
import { isValidZone } from '../kit/zone-clock.ts';
import { configSchema } from './schema.ts';
import { trustedProxyProblem } from './trusted-proxies.ts';
import type { SwitchboardConfig } from './types.ts';

const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false });
const validate = ajv.compile(configSchema);

export const ENV_PREFIX = 'SWITCHBOARD_';

/**
 * Variables with the prefix that Switchboard reads for itself rather than as configuration overrides
 * (README, "Configuration"). No configuration key may be spelled like one of them.
 */
export const PROCESS_VARIABLES: ReadonlySet<string> = new Set([
  'SWITCHBOARD_SESSION_SECRET',
  // An API token `switchboard sync` uses to ask the running server (src/sources-cli.ts).
  'SWITCHBOARD_API_TOKEN',
  // The key push clients' access tokens are signed with (src/api/push-tokens.ts).
  'SWITCHBOARD_PUSH_TOKEN_SECRET',
]);

/**
 * Top-level keys that live in the config folder but are validated by their own modules (with the same
 * file/line/key problems): the directory, schedules, staff coverage, scheduling sources and the clients
 * that push schedules (src/api/push-clients.ts).
 */
export const SECTIONS_LOADED_ELSEWHERE = [
  'directory',
  'schedules',
  'coverage',
  'sources',
  'pushClients',
  'connectors',
  'demographicImports',
];

type Json = Record<string, unknown>;

/** What a missing required key is for, so the error tells the analyst what to write. */
const REQUIRED_BECAUSE: Readonly<Record<string, string>> = {
  'site.timezone':
    "is required: the site's IANA time zone (e.g. America/Chicago, Australia/Sydney), in which schedules, rule windows and the times on alert timelines are read",
};
type SchemaNode = { properties?: Record<string, SchemaNode>; type?: string };

/**
 * Loads every YAML file in `dir`, merges their top-level keys (a key may live in one file only), applies
 * environment overrides (`SWITCHBOARD_LISTENERS_MLLP_PORT=12575` sets `listeners.mllp.port`), replaces
 * `${NAME}` with the environment variable NAME (how secrets get in), validates, fills defaults, freezes.
 * Throws ConfigError listing every problem at once, each with file, line and key.
 */
export function loadConfig(dir: string, env: NodeJS.ProcessEnv = process.env): SwitchboardConfig {
  const files = readYamlDir(dir);
  const problems: ConfigProblem[] = files.flatMap((f) => f.syntaxProblems());
  if (problems.length) throw new ConfigError(problems);

  const merged: Json = {};
  const owner = new Map<string, YamlFile>();
  for (const file of files) {
    const value = file.value;
    if (value === null || value === undefined) continue;
    if (typeof value !== 'object' || Array.isArray(value)) {
      problems.push({ file: file.name, line: 1, key: '', message: 'must be a mapping of keys' });
      continue;
    }
    for (const [key, v] of Object.entries(value as Json)) {
      if (SECTIONS_LOADED_ELSEWHERE.includes(key)) continue;
      const first = owner.get(key);
      if (first) {
        problems.push({
          file: file.name,
          line: file.lineOf([key]),
          key,
          message: `already set in ${first.name}; a top-level key lives in one file`,
        });
        continue;
      }
      owner.set(key, file);
      merged[key] = v;
    }
  }

  const envKeys = applyEnvOverrides(merged, env, problems);
  substituteSecrets(merged, [], env, problems, owner);

  if (!validate(merged)) {
    for (const e of validate.errors ?? []) problems.push(locate(e, owner, envKeys));
  }
  const zone = (merged.site as Json | undefined)?.timezone;
  if (typeof zone === 'string' && !isValidZone(zone)) {
    const message = `"${zone}" is not an IANA time zone (e.g. America/Chicago, Europe/London)`;
    problems.push(
      locate({ instancePath: '/site/timezone', keyword: 'zone', message } as ErrorObject, owner, envKeys),
    );
  }
  const proxies = (merged.http as Json | undefined)?.trustedProxies;
  if (Array.isArray(proxies))
    proxies.forEach((entry, i) => {
      const message = typeof entry === 'string' ? trustedProxyProblem(entry) : undefined;
      if (!message) return;
      const at = { instancePath: `/http/trustedProxies/${i}`, keyword: 'proxy', message } as ErrorObject;
      problems.push(locate(at, owner, envKeys));
    });
  if (problems.length) throw new ConfigError(problems);
  return deepFreeze(merged) as unknown as SwitchboardConfig;
}

function applyEnvOverrides(
  target: Json,
  env: NodeJS.ProcessEnv,
  problems: ConfigProblem[],
): Map<string, string> {
  const set = new Map<string, string>();
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || raw === undefined || PROCESS_VARIABLES.has(name)) continue;
    const words = name.slice(ENV_PREFIX.length).toLowerCase().split('_').filter(Boolean);
    const path = resolveEnvPath(words, configSchema as unknown as SchemaNode);
    if (!path) {
      problems.push({ file: 'environment', key: name, message: 'names no configuration key' });
      continue;
    }
    let node = target;
    for (const key of path.slice(0, -1)) {
      if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
      node = node[key] as Json;
    }
    node[path[path.length - 1]] = parseYamlScalar(raw);
    set.set(path.join('.'), name);
  }
  return set;
}

/** Matches underscore-separated words to schema keys, so `MAX_FRAME_BYTES` finds `maxFrameBytes`. */
/**
 * The configuration key a `SWITCHBOARD_*` variable would override (`listeners.mllp.port`), or undefined.
 * A test holds every process variable to undefined here, so a new key can never be spelled like a secret.
 */
export function overriddenKey(name: string): string | undefined {
  if (!name.startsWith(ENV_PREFIX)) return undefined;
  const words = name.slice(ENV_PREFIX.length).toLowerCase().split('_').filter(Boolean);
  return resolveEnvPath(words, configSchema as unknown as SchemaNode)?.join('.');
}

function resolveEnvPath(words: string[], schema: SchemaNode): string[] | undefined {
  if (words.length === 0) return [];
  const props = schema.properties;
  if (!props) return undefined;
  for (let n = words.length; n >= 1; n--) {
    const joined = words.slice(0, n).join('');
    const key = Object.keys(props).find((k) => k.toLowerCase() === joined);
    if (!key) continue;
    if (n === words.length) return [key];
    const rest = resolveEnvPath(words.slice(n), props[key]);
    if (rest) return [key, ...rest];
  }
  return undefined;
}

const secretRef = /\$\{([A-Z0-9_]+)\}/g;

function substituteSecrets(
  node: unknown,
  path: Array<string | number>,
  env: NodeJS.ProcessEnv,
  problems: ConfigProblem[],
  owner: Map<string, YamlFile>,
): unknown {
  if (typeof node === 'string') {
    return node.replace(secretRef, (_m, name: string) => {
      const value = env[name];
      if (value === undefined) {
        const file = owner.get(String(path[0]));
        problems.push({
          file: file?.name ?? 'environment',
          line: file?.lineOf(path),
          key: path.join('.'),
          message: `needs the environment variable ${name}, which is not set`,
        });
        return '';
      }
      return value;
    });
  }
  if (node && typeof node === 'object') {
    const entries = Array.isArray(node) ? node.map((v, i) => [i, v] as const) : Object.entries(node);
    for (const [k, v] of entries) {
      (node as Record<string | number, unknown>)[k] = substituteSecrets(
        v,
        [...path, k],
        env,
        problems,
        owner,
      );
    }
  }
  return node;
}

function locate(e: ErrorObject, owner: Map<string, YamlFile>, envKeys: Map<string, string>): ConfigProblem {
  const path = e.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  let message = e.message ?? 'is not valid';
  if (e.keyword === 'additionalProperties') {
    const extra = (e.params as { additionalProperty: string }).additionalProperty;
    path.push(extra);
    message = 'is not a known key';
  } else if (e.keyword === 'required') {
    path.push((e.params as { missingProperty: string }).missingProperty);
    message = REQUIRED_BECAUSE[path.join('.')] ?? 'is required';
  } else if (e.keyword === 'enum') {
    message = `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
  }
  const key = path.join('.');
  const envName = envKeys.get(key);
  if (envName) return { file: 'environment', key: `${key} (${envName})`, message };
  const file = owner.get(path[0]);
  return {
    file: file?.name ?? '(defaults)',
    line: file?.lineOf(path.map((p) => (/^\d+$/.test(p) ? Number(p) : p))),
    key,
    message,
  };
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}
