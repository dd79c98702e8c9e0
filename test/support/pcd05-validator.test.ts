import { describe, expect, it } from 'vitest';
import { validatePcd05 } from './pcd05-validator.ts';

/** A PCD-05 written by hand from IHE DEV TF-2 Rev. 10.0 §3.5.4.1.4 and B.10.2, for the B. Braun alarm of E.3.2. */
const conforming = [
  'MSH|^~\\&|AM|HOSP|PAT_DEVICE_BBRAUN^0012211839000001^EUI-64|BBRAUN|20120109175430-0600||ORA^R41^ORA_R41|AM-77|P|2.6|||AL|NE||UNICODE UTF-8|||IHE_PCD_005^IHE PCD^1.3.6.1.4.1.19376.1.6.1.5.1^ISO',
  'MSA|AA|6346172845752460251',
  'OBR|1||AM-77^AM|196616^MDC_EVT_ALARM^MDC|||20120109175430-0600||||||||||||||||||||||^E0001_27&PAT_DEVICE_BBRAUN&0012211839000001&EUI-64',
  'PRT|1|AD|RESPONSE^ACCEPTED^IHE_PCD_ACM|AAP^Alert Acknowledging Provider^HL70912|N77^Nurse^Nora|NURSE^Nurse^HL70182|||||20120109175429-0600',
  '',
].join('\r');

const onset = {
  onsetControlId: '6346172845752460251',
  onsetFillerOrder: 'E0001_27^PAT_DEVICE_BBRAUN^0012211839000001^EUI-64',
};

const change = (from: string, to: string) => conforming.replace(from, to);

describe('validatePcd05', () => {
  it('passes a message written from the TF', () => {
    expect(validatePcd05(conforming, onset)).toEqual([]);
  });

  it('finds each fault the TF rules out', () => {
    const cases: Array<[string, string]> = [
      [change('MSA|AA|6346172845752460251', 'MSA|AA|6346172846620706282'), "not the onset PCD-04's MSH-10"],
      [change('^E0001_27&', '^E0001_34&'), 'does not carry the onset OBR-3'],
      [change('1.3.6.1.4.1.19376.1.6.1.5.1', '1.3.6.1.4.1.19376.1.6.4.4'), 'MSH-21'],
      [change('|AL|NE|', '|AL|AL|'), 'MSH-16'],
      [change('20120109175430-0600||ORA', '20120109175430||ORA'), 'MSH-7'],
      [change('RESPONSE^ACCEPTED', 'RESPONSE^Accepted'), 'PRT-3.2 Accepted'],
      [change('PRT|1|AD|', 'PRT|1|UC|'), 'PRT-2'],
      [change('AAP^Alert', 'RCT^Result'), 'PRT-4.1'],
      [change('|N77^Nurse^Nora|', '||'), 'neither PRT-5 nor PRT-15'],
      [change('|||||20120109175429-0600', '||||||'), 'PRT-11'],
      [
        change('OBR|1||AM-77^AM|', 'OBR|1||E0001_27^PAT_DEVICE_BBRAUN^0012211839000001^EUI-64|'),
        'repeats the alert identity',
      ],
      [conforming.replace(/PRT\|[^\r]*\r/, ''), 'no PRT'],
      [
        `${conforming}OBX|1|ST|ALERT_STATUS^Alert status^L|1|Accepted||||||F\r`,
        'no observation the TF defines',
      ],
      [
        `${conforming}PRT|2|AD|RESPONSE^READ^IHE_PCD_ACM|AAP|N1|||||20120109175429-0600\r`,
        'PRT may appear at most 1',
      ],
      [conforming.replace('PRT|', 'NTE|1||a note\rPRT|'), 'segment PRT is out of place'],
      [conforming.replace(/MSA\|[^\r]*\r/, ''), 'MSA is required'],
    ];
    for (const [text, fault] of cases) expect(validatePcd05(text, onset).join('; ')).toContain(fault);
  });
});
