/**
 * The scheduling systems allowed to push shifts (`pushClients:` in the config folder, e.g.
 * config/push-clients.yaml). Each is an OAuth 2.0 client: an id, the scrypt hash of its secret (from
 * `switchboard hash-password`, safe to keep in git; the secret itself never is), and the push sources it
 * may write, which become its scopes `schedules:write:<source>`. `enabled: false` revokes it: its tokens
 * stop working on the next request, as they do when its secret hash is replaced.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ConfigProblem } from '../kit/config-errors.ts';
import { type KeyPath, SectionChecks } from '../kit/section-checks.ts';
import { readYamlDir, type YamlFile } from '../kit/yaml-files.ts';

export const pushClientsKey = 'pushClients';

export interface PushClient {
  /** The OAuth client_id. */
  id: string;
  /** `scrypt$N$salt$hash` of the client secret. */
  secretHash: string;
  /** Push sources (ids in sources.yaml) this client may write. */
  sources: string[];
  enabled: boolean;
}

/** The scope that lets a token write one push source's shifts. */
export const writeScope = (sourceId: string) => `schedules:write:${sourceId}`;

const clientKeys = ['id', 'secretHash', 'sources', 'enabled'];

/**
 * Reads `pushClients:` from whichever file holds it (none: no push clients). `isPushSource` checks that
 * each named source is configured as a push source; every problem names file, line and key.
 */
export function loadPushClients(
  source: string | YamlFile[],
  isPushSource?: (id: string) => boolean,
): { clients: PushClient[]; problems: ConfigProblem[] } {
  const files = typeof source === 'string' ? readYamlDir(source) : source;
  const owners = files.filter((f) => {
    const v = f.value;
    return v !== null && typeof v === 'object' && !Array.isArray(v) && pushClientsKey in (v as object);
  });
  const problems: ConfigProblem[] = owners.slice(1).map((extra) => ({
    file: extra.name,
    line: extra.lineOf([pushClientsKey]),
    key: pushClientsKey,
    message: `already set in ${owners[0].name}; a top-level key lives in one file`,
  }));
  const clients: PushClient[] = [];
  const file = owners[0];
  if (!file) return { clients, problems };
  const checks = new SectionChecks(file);
  const seen = new Set<string>();
  checks.list((file.value as Record<string, unknown>)[pushClientsKey], [pushClientsKey]).forEach((raw, i) => {
    const path: KeyPath = [pushClientsKey, i];
    const m = checks.mapping(raw, path, clientKeys);
    if (!m) return;
    const before = checks.problems.length;
    const id = checks.text(m.id, [...path, 'id'], true);
    // RFC 6749 2.3.1 sends the id form-encoded inside Basic credentials: keep it to plain characters.
    if (id !== undefined && !/^[A-Za-z0-9._~-]{1,128}$/.test(id))
      checks.report([...path, 'id'], 'must be letters, digits and . _ ~ - (at most 128)');
    if (id !== undefined && seen.has(id)) checks.report([...path, 'id'], `client ${id} is listed twice`);
    if (id !== undefined) seen.add(id);
    const secretHash = checks.text(m.secretHash, [...path, 'secretHash'], true);
    if (secretHash !== undefined && !/^scrypt\$\d+\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/.test(secretHash))
      checks.report(
        [...path, 'secretHash'],
        'must be a hash from `switchboard hash-password` (scrypt$…), never the secret itself',
      );
    const sources: string[] = [];
    const list = checks.list(m.sources, [...path, 'sources']);
    if (m.sources === undefined)
      checks.report([...path, 'sources'], 'is required: the push sources it may write');
    list.forEach((s, j) => {
      const sid = checks.text(s, [...path, 'sources', j], true);
      if (sid === undefined) return;
      if (isPushSource && !isPushSource(sid))
        checks.report([...path, 'sources', j], `${sid} is not a source of kind push in sources:`);
      else sources.push(sid);
    });
    const enabled = checks.flag(m.enabled, [...path, 'enabled'], true);
    if (checks.problems.length > before || id === undefined || secretHash === undefined) return;
    clients.push({ id, secretHash, sources, enabled });
  });
  problems.push(...checks.problems);
  return { clients, problems };
}

/** How often the config folder is looked at for an edited client list, at most. */
const LOOK_EVERY_MS = 1000;

/**
 * The push clients of a config folder, read again when a YAML file in it changes, so that disabling a
 * client (or giving it a new secret hash) takes effect without a restart. An edit with problems is
 * reported and the clients in force stay.
 */
export function livePushClients(
  configDir: string,
  isPushSource: (id: string) => boolean,
  onProblems: (problems: ConfigProblem[]) => void,
  first: readonly PushClient[],
  now: () => number = Date.now,
): () => readonly PushClient[] {
  let clients = first;
  let stamp = folderStamp(configDir);
  let lookedAt = now();
  return () => {
    if (now() - lookedAt < LOOK_EVERY_MS) return clients;
    lookedAt = now();
    const current = folderStamp(configDir);
    if (current === stamp) return clients;
    stamp = current;
    try {
      const read = loadPushClients(configDir, isPushSource);
      if (read.problems.length) onProblems(read.problems);
      else clients = read.clients;
    } catch (err) {
      onProblems([{ file: configDir, key: pushClientsKey, message: (err as Error).message }]);
    }
    return clients;
  };
}

/** Names, sizes and modification times of the folder's YAML files, as one string. */
function folderStamp(dir: string): string {
  try {
    return readdirSync(dir)
      .filter((n) => /\.ya?ml$/.test(n))
      .sort()
      .map((n) => {
        const s = statSync(join(dir, n));
        return `${n}:${s.size}:${s.mtimeMs}`;
      })
      .join('|');
  } catch {
    return '';
  }
}
