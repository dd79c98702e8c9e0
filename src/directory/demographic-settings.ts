/**
 * A demographic import as config describes it, every bad key reported at once:
 *
 *   id: hr-contacts
 *   everyMinutes: 15
 *   folder: drops/contacts             # or sftp: { host, port, username, password: ${…}, hostKey, path }
 *   files: 'contacts-*.csv'
 *   key: { column: unique_id, match: uniqueId }        # or custom1..custom4
 *   contacts:
 *     - { column: pager, kind: pager, carrier: spok }
 *     - { column: mobile, kind: phone, label: work cell }
 *     - { column: email, kind: email }
 *     - { column: sip, kind: sip }
 */
import { dropLocationKeys, readDropLocation } from '../schedules/sources/drop-location.ts';
import { SourceOptions } from '../schedules/sources/source-options.ts';
import type { ContactColumn } from './demographic-csv.ts';
import {
  type DemographicImportSettings,
  type DemographicKey,
  demographicKeys,
} from './demographic-import.ts';
import { type ContactKind, contactKinds } from './types.ts';

export function readDemographicImport(
  raw: Readonly<Record<string, unknown>>,
  report: (key: string, message: string) => void,
): DemographicImportSettings | undefined {
  const o = new SourceOptions(raw, report, ['id', 'everyMinutes', ...dropLocationKeys, 'key', 'contacts']);
  const id = o.text('id', true);
  if (id !== undefined && !/^[a-z0-9][a-z0-9-]*$/.test(id))
    o.report('id', 'must be lower-case letters, digits and dashes');
  const everyMinutes = o.whole('everyMinutes', 1, 1440, 15);
  const location = readDropLocation(o);
  const k = o.nested('key', ['column', 'match']);
  if (!k) o.report('key', 'is required: { column: <header>, match: uniqueId | custom1 … custom4 }');
  const keyColumn = k?.text('column', true);
  const match = k?.oneOf('match', demographicKeys, 'uniqueId') as DemographicKey | undefined;
  const contacts: ContactColumn[] = [];
  const list = raw.contacts;
  if (!Array.isArray(list) || list.length === 0) {
    o.report('contacts', 'must list at least one { column, kind } (kind: pager, phone, email, sip)');
  } else {
    list.forEach((item, i) => {
      const c = new SourceOptions(
        item !== null && typeof item === 'object' && !Array.isArray(item)
          ? (item as Record<string, unknown>)
          : {},
        (key, message) => o.report(`contacts.${i}.${key}`, message),
        ['column', 'kind', 'label', 'carrier'],
      );
      const column = c.text('column', true);
      const kind = c.oneOf('kind', contactKinds, 'pager') as ContactKind;
      if (!c.has('kind')) c.report('kind', `is required (${contactKinds.join(', ')})`);
      const label = c.text('label', false);
      const carrier = c.text('carrier', false);
      if (column)
        contacts.push({ column, kind, ...(label ? { label } : {}), ...(carrier ? { carrier } : {}) });
    });
  }
  if (o.failed || !id || !location || !keyColumn || !match) return undefined;
  return {
    id,
    everyMinutes,
    ...location,
    key: { column: keyColumn, match },
    contacts,
  };
}
