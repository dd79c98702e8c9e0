import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatProblem } from '../kit/config-errors.ts';
import { loadDemographicImports } from './demographic-config.ts';

describe('demographicImports: in the config folder', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-demographic-config-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  // biome-ignore lint/suspicious/noTemplateCurlyInString: ${NAME} is the config's own syntax for secrets
  it('reads each import, with ${ENV} secrets, and locates every problem at file, line and key', () => {
    writeFileSync(
      join(dir, 'imports.yaml'),
      [
        'demographicImports:',
        '  - id: hr-contacts',
        '    sftp:',
        '      host: sftp.example.org',
        '      username: sb',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: ${NAME} is the config's own syntax for secrets
        '      password: ${HR_SFTP_PASSWORD}',
        "      hostKey: 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'",
        '    key: { column: unique_id, match: uniqueId }',
        '    contacts: [{ column: pager, kind: pager }]',
        '  - id: badge',
        '    folder: drops',
        '    key: { column: badge, match: npi }',
        '    contacts: [{ column: pager, kind: fax }]',
        '',
      ].join('\n'),
    );
    const { value, problems } = loadDemographicImports(dir, { HR_SFTP_PASSWORD: 'pw' });
    expect(value.map((v) => [v.id, v.sftp?.password, v.everyMinutes])).toEqual([['hr-contacts', 'pw', 15]]);
    expect(problems.map((p) => formatProblem(p).trim())).toEqual([
      'imports.yaml:12: demographicImports.1.key.match: must be one of: uniqueId, custom1, custom2, custom3, custom4',
      'imports.yaml:13: demographicImports.1.contacts.0.kind: must be one of: app, pager, phone, sip, email',
    ]);
  });

  it('is empty when no file has the key', () => {
    writeFileSync(join(dir, 'switchboard.yaml'), 'site: { timezone: UTC }\n');
    expect(loadDemographicImports(dir, {})).toEqual({ value: [], problems: [] });
  });
});
