import { describe, expect, it } from 'vitest';
import { checkTemplate, deepLinks } from './deep-links.ts';

const settings = {
  patientId: { authority: 'EPI', type: 'MR' },
  links: [
    {
      label: 'Open in Haiku',
      platforms: ['ios' as const],
      template: 'epichaiku://open?patient={patientId}&user={ehrUser}',
    },
    {
      label: 'Open chart',
      platforms: ['web' as const],
      template: 'https://ehr.example.org/chart?pat={patientId}&enc={encounter}',
    },
    {
      label: 'By MRN',
      platforms: ['web' as const, 'android' as const],
      template: 'https://ehr.example.org/find?mrn={mrn}',
    },
  ],
};

describe('EHR deep links', () => {
  it("fills the enterprise id of the configured authority and type, the encounter and the viewer's EHR user", () => {
    const links = deepLinks(settings, {
      identifiers: [
        { id: 'MRN77', type: 'MR', authority: 'RGH' },
        { id: 'E 1001/7', type: 'mr', authority: 'epi' },
      ],
      mrn: 'MRN77',
      encounter: 'V99',
      ehrUser: 'JSMITH',
    });
    expect(links).toEqual([
      {
        label: 'Open in Haiku',
        platforms: ['ios'],
        url: 'epichaiku://open?patient=E%201001%2F7&user=JSMITH',
      },
      {
        label: 'Open chart',
        platforms: ['web'],
        url: 'https://ehr.example.org/chart?pat=E%201001%2F7&enc=V99',
      },
      { label: 'By MRN', platforms: ['web', 'android'], url: 'https://ehr.example.org/find?mrn=MRN77' },
    ]);
  });

  it('leaves out a link whose values are not all known, never a half-filled one', () => {
    const links = deepLinks(settings, {
      identifiers: [{ id: 'MRN77', type: 'MR', authority: 'RGH' }],
      mrn: 'MRN77',
    });
    expect(links.map((l) => l.label)).toEqual(['By MRN']);
  });

  it('refuses unknown placeholders and script schemes in a template', () => {
    expect(checkTemplate('https://x/{patient}')).toMatch(/unknown placeholder \{patient\}/);
    expect(checkTemplate('javascript:alert(1)')).toMatch(/refused/);
    expect(checkTemplate('/relative/{mrn}')).toMatch(/scheme/);
    expect(checkTemplate('epicrover://chart?p={patientId}')).toBeUndefined();
  });
});
