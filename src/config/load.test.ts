import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../kit/config-errors.ts';
import { loadConfig, overriddenKey, PROCESS_VARIABLES } from './load.ts';

function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'sb-config-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

function problemsOf(fn: () => unknown) {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('fills defaults and freezes', () => {
    const config = loadConfig(
      dirWith({ 'site.yaml': 'site:\n  name: General\n  timezone: America/New_York\n' }),
      {},
    );
    expect(config.listeners.mllp.port).toBe(2575);
    expect(config.http.port).toBe(8080);
    expect(config.store.driver).toBe('sqlite');
    expect(Object.isFrozen(config.listeners.mllp)).toBe(true);
  });

  it('listens on loopback unless the site opens a port to its network', () => {
    const dir = dirWith({ 'site.yaml': 'site:\n  name: G\n  timezone: America/Chicago\n' });
    const config = loadConfig(dir, {});
    expect([config.listeners.mllp.host, config.http.host, config.listeners.smtp.host]).toEqual([
      '127.0.0.1',
      '127.0.0.1',
      '127.0.0.1',
    ]);
    const open = loadConfig(dir, {
      SWITCHBOARD_LISTENERS_MLLP_HOST: '0.0.0.0',
      SWITCHBOARD_HTTP_HOST: '0.0.0.0',
    });
    expect([open.listeners.mllp.host, open.http.host]).toEqual(['0.0.0.0', '0.0.0.0']);
  });

  it('refuses a site without a time zone, or with one that is not an IANA zone, naming file, line and key', () => {
    const missing = problemsOf(() =>
      loadConfig(dirWith({ 'site.yaml': '# the site\nsite:\n  name: G\n' }), {}),
    );
    expect(missing).toEqual([expect.objectContaining({ file: 'site.yaml', line: 2, key: 'site.timezone' })]);
    expect(missing[0].message).toMatch(/^is required: the site's IANA time zone/);
    const wrong = problemsOf(() =>
      loadConfig(dirWith({ 'site.yaml': 'site:\n  name: G\n  timezone: Sydney\n' }), {}),
    );
    expect(wrong).toEqual([
      expect.objectContaining({
        file: 'site.yaml',
        line: 3,
        key: 'site.timezone',
        message: expect.stringMatching(/"Sydney" is not an IANA time zone/),
      }),
    ]);
  });

  it('takes trusted proxies as addresses, ranges and range names, and names a bad one with its line', () => {
    const site = 'site:\n  name: G\n  timezone: America/New_York\n';
    const good = dirWith({
      'a.yaml': site,
      'http.yaml':
        'http:\n  trustedProxies: [10.0.0.5, 10.1.0.0/16, fd00::/8, 10.2.0.0/255.255.0.0, loopback]\n',
    });
    expect(loadConfig(good, {}).http.trustedProxies).toHaveLength(5);
    expect(loadConfig(dirWith({ 'a.yaml': site }), {}).http.trustedProxies).toEqual([]);
    const bad = dirWith({
      'a.yaml': site,
      'http.yaml': 'http:\n  trustedProxies:\n    - 10.0.0.5\n    - haproxy.local\n    - 10.0.0.0/40\n',
    });
    expect(problemsOf(() => loadConfig(bad, {}))).toEqual([
      expect.objectContaining({
        file: 'http.yaml',
        line: 4,
        message: expect.stringMatching(/"haproxy.local" is not/),
      }),
      expect.objectContaining({
        file: 'http.yaml',
        line: 5,
        message: expect.stringMatching(/at most 32 bits/),
      }),
    ]);
    const fromEnv = loadConfig(dirWith({ 'a.yaml': site }), {
      SWITCHBOARD_HTTP_TRUSTED_PROXIES: '[10.0.0.5, 10.0.0.6]',
    });
    expect(fromEnv.http.trustedProxies).toEqual(['10.0.0.5', '10.0.0.6']);
  });

  it('merges top-level keys from several files', () => {
    const dir = dirWith({
      'a.yaml': 'site:\n  name: G\n  timezone: America/New_York\n',
      'b.yaml': 'http:\n  port: 9090\n',
    });
    expect(loadConfig(dir, {}).http.port).toBe(9090);
  });

  it('reports every problem at once with file, line and key', () => {
    const dir = dirWith({
      'site.yaml': 'site:\n  name: G\n  colour: blue\n',
      'net.yaml': 'listeners:\n  mllp:\n    port: seventy\n    maxFrameBytes: 10\nhttp:\n  port: 70000\n',
    });
    const problems = problemsOf(() => loadConfig(dir, {}));
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ file: 'site.yaml', line: 3, key: 'site.colour' }),
        expect.objectContaining({ file: 'net.yaml', line: 3, key: 'listeners.mllp.port' }),
        expect.objectContaining({ file: 'net.yaml', line: 4, key: 'listeners.mllp.maxFrameBytes' }),
        expect.objectContaining({ file: 'net.yaml', line: 6, key: 'http.port' }),
      ]),
    );
  });

  it('names a missing required key and a key set in two files', () => {
    const dir = dirWith({ 'a.yaml': 'http:\n  port: 1\n', 'b.yaml': '\nhttp:\n  port: 2\n' });
    const problems = problemsOf(() => loadConfig(dir, {}));
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ file: 'b.yaml', line: 2, key: 'http' }),
        expect.objectContaining({ key: 'site', message: 'is required' }),
      ]),
    );
  });

  it('reports YAML syntax errors with their line', () => {
    const problems = problemsOf(() => loadConfig(dirWith({ 'bad.yaml': 'site:\n  name: [unclosed\n' }), {}));
    expect(problems[0].file).toBe('bad.yaml');
    expect(problems[0].line).toBeGreaterThan(0);
  });

  it('applies environment overrides by prefix, matching camelCase keys', () => {
    const config = loadConfig(dirWith({ 'site.yaml': 'site:\n  name: G\n  timezone: America/New_York\n' }), {
      SWITCHBOARD_LISTENERS_MLLP_PORT: '12575',
      SWITCHBOARD_LISTENERS_MLLP_MAX_FRAME_BYTES: '4096',
      SWITCHBOARD_SITE_TIMEZONE: 'Europe/Paris',
    });
    expect(config.listeners.mllp.port).toBe(12575);
    expect(config.listeners.mllp.maxFrameBytes).toBe(4096);
    expect(config.site.timezone).toBe('Europe/Paris');
  });

  it('says which environment variable is wrong', () => {
    const problems = problemsOf(() =>
      loadConfig(dirWith({ 'site.yaml': 'site:\n  name: G\n  timezone: America/New_York\n' }), {
        SWITCHBOARD_LISTENERS_MLLP_PORT: 'abc',
        SWITCHBOARD_NO_SUCH_KEY: '1',
      }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          file: 'environment',
          key: 'listeners.mllp.port (SWITCHBOARD_LISTENERS_MLLP_PORT)',
        }),
        expect.objectContaining({ file: 'environment', key: 'SWITCHBOARD_NO_SUCH_KEY' }),
      ]),
    );
  });

  it('takes secrets from the environment variable a value names', () => {
    const dir = dirWith({
      'site.yaml':
        // biome-ignore lint/suspicious/noTemplateCurlyInString: ${NAME} is the loader's own syntax for secrets
        'site:\n  name: G\n  timezone: America/New_York\nstore:\n  driver: postgres\n  url: ${PG_URL}\n',
    });
    expect(loadConfig(dir, { PG_URL: 'postgres://x@h/db' }).store.url).toBe('postgres://x@h/db');
    const problems = problemsOf(() => loadConfig(dir, {}));
    expect(problems[0]).toMatchObject({ file: 'site.yaml', line: 6, key: 'store.url' });
  });
});

describe('environment variable names', () => {
  it('keeps the variables Switchboard reads for itself apart from every configuration override', () => {
    for (const name of PROCESS_VARIABLES) expect(overriddenKey(name), name).toBeUndefined();
    expect(overriddenKey('SWITCHBOARD_LISTENERS_MLLP_PORT')).toBe('listeners.mllp.port');
    expect(overriddenKey('SWITCHBOARD_HTTP_HOST')).toBe('http.host');
    expect(overriddenKey('SWITCHBOARD_LISTENERS_MLLP_MAX_FRAME_BYTES')).toBe('listeners.mllp.maxFrameBytes');
  });
});
