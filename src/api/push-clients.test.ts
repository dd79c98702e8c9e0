import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { YamlFile } from '../kit/yaml-files.ts';
import { livePushClients, loadPushClients } from './push-clients.ts';

const HASH = 'scrypt$32768$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g';

describe('pushClients config', () => {
  it('reads clients with their sources, enabled by default', () => {
    const file = new YamlFile(
      'push-clients.yaml',
      `pushClients:\n  - id: lightning-bolt\n    secretHash: ${HASH}\n    sources: [anesthesia]\n  - id: old-vendor\n    secretHash: ${HASH}\n    sources: [anesthesia]\n    enabled: false\n`,
    );
    const { clients, problems } = loadPushClients([file], (id) => id === 'anesthesia');
    expect(problems).toEqual([]);
    expect(clients).toEqual([
      { id: 'lightning-bolt', secretHash: HASH, sources: ['anesthesia'], enabled: true },
      { id: 'old-vendor', secretHash: HASH, sources: ['anesthesia'], enabled: false },
    ]);
  });

  it('reports every problem with its line and key: a plain secret, a source that is not a push source, a repeated id', () => {
    const file = new YamlFile(
      'push-clients.yaml',
      [
        'pushClients:',
        '  - id: lightning-bolt',
        '    secretHash: hunter2',
        '    sources: [anesthesia, cardiology]',
        '  - id: lightning-bolt',
        `    secretHash: ${HASH}`,
        '  - id: "bad id!"',
        `    secretHash: ${HASH}`,
        '    sources: []',
        '    colour: blue',
        '',
      ].join('\n'),
    );
    const { clients, problems } = loadPushClients([file], (id) => id === 'anesthesia');
    expect(clients).toEqual([]);
    expect(problems.map((p) => `${p.line} ${p.key}`)).toEqual([
      '3 pushClients.0.secretHash',
      '4 pushClients.0.sources.1',
      '5 pushClients.1.id',
      '5 pushClients.1.sources',
      '10 pushClients.2.colour',
      '7 pushClients.2.id',
    ]);
    expect(problems[0].message).toContain('never the secret itself');
  });

  it('no pushClients anywhere: no clients', () => {
    expect(loadPushClients([new YamlFile('sources.yaml', 'sources: []\n')])).toEqual({
      clients: [],
      problems: [],
    });
  });
});

describe('live push clients', () => {
  it('sees a client disabled in the file without a restart, and keeps the list in force when an edit is wrong', () => {
    const dir = mkdtempSync(join(tmpdir(), 'push-clients-'));
    try {
      const write = (enabled: string) =>
        writeFileSync(
          join(dir, 'push-clients.yaml'),
          `pushClients:\n  - id: lb\n    secretHash: ${HASH}\n    sources: [anesthesia]\n    enabled: ${enabled}\n`,
        );
      write('true');
      let t = 0;
      const problems: string[] = [];
      const first = loadPushClients(dir).clients;
      const clients = livePushClients(
        dir,
        () => true,
        (p) => problems.push(...p.map((x) => x.key)),
        first,
        () => t,
      );
      expect(clients()[0].enabled).toBe(true);
      write('false # revoked');
      expect(clients()[0].enabled).toBe(true);
      t += 1000;
      expect(clients()[0].enabled).toBe(false);
      write('perhaps');
      t += 1000;
      expect(clients()[0].enabled).toBe(false);
      expect(problems).toEqual(['pushClients.0.enabled']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
