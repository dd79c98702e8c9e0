/**
 * "Open in EHR" actions for an alert or a conversation about a patient: the site's URL templates (Epic
 * Haiku, Rover and Canto style app schemes, a web URL) filled with the patient's enterprise id (the PID-3
 * identifier of a configured assigning authority and type, Epic's `patient.1`), the encounter when known,
 * and the viewer's EHR user name from the crosswalk. A template whose values are not all known is left out:
 * a link that opens the wrong chart, or none, is worse than no link.
 */

export type LinkPlatform = 'ios' | 'android' | 'web';

export interface DeepLinkTemplate {
  label: string;
  /** The devices it applies to; the page shows only those for its own platform. */
  platforms: LinkPlatform[];
  /** With {patientId}, {mrn}, {encounter}, {ehrUser}; each value is URL-encoded. */
  template: string;
}

export interface DeepLinkSettings {
  /** Which of the patient's identifiers the EHR opens a chart by. */
  patientId: { authority: string; type: string };
  links: DeepLinkTemplate[];
}

export interface DeepLink {
  label: string;
  url: string;
  platforms: LinkPlatform[];
}

export interface LinkValues {
  identifiers: ReadonlyArray<{ id: string; type: string; authority: string }>;
  mrn: string;
  encounter?: string;
  ehrUser?: string;
}

const PLACEHOLDER = /\{(patientId|mrn|encounter|ehrUser)\}/g;

/** The links that can be filled for this patient and viewer, in the order configured. */
export function deepLinks(settings: DeepLinkSettings, values: LinkValues): DeepLink[] {
  const wanted = settings.patientId;
  // No authority configured: the identifier of that type, whoever assigned it.
  const patientId = values.identifiers.find(
    (i) =>
      (!wanted.authority || i.authority.toUpperCase() === wanted.authority.toUpperCase()) &&
      i.type.toUpperCase() === wanted.type.toUpperCase(),
  )?.id;
  const known: Record<string, string | undefined> = {
    patientId,
    mrn: values.mrn,
    encounter: values.encounter,
    ehrUser: values.ehrUser,
  };
  const out: DeepLink[] = [];
  for (const link of settings.links) {
    let complete = true;
    const url = link.template.replace(PLACEHOLDER, (_m, name: string) => {
      const value = known[name];
      if (!value) complete = false;
      return encodeURIComponent(value ?? '');
    });
    if (complete) out.push({ label: link.label, url, platforms: link.platforms });
  }
  return out;
}

/** Problems with the templates, for the config loader: unknown placeholders, unsafe schemes. */
export function checkTemplate(template: string): string | undefined {
  const unknown = [...template.matchAll(/\{([^}]*)\}/g)]
    .map((m) => m[1])
    .filter((n) => !/^(patientId|mrn|encounter|ehrUser)$/.test(n ?? ''));
  if (unknown.length)
    return `unknown placeholder {${unknown[0]}}: use {patientId}, {mrn}, {encounter} or {ehrUser}`;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(template)?.[1]?.toLowerCase();
  if (!scheme) return 'must start with a scheme, e.g. https: or epichaiku:';
  if (scheme === 'javascript' || scheme === 'data' || scheme === 'vbscript')
    return `a ${scheme}: link is refused`;
  return undefined;
}
