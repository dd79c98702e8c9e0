/**
 * Which alert a PCD-04 speaks of (IHE DEV TF-2 Rev. 10.0, Appendix B.7, OBR-3 and OBR-29, tables B.7-2 and
 * B.7-4). Two shapes are in use, chosen per reporter (`pcd.reporters[].profile`):
 *
 *   rev10   The onset message (phase start, start_only, tpoint or present) names the alert in OBR-3; every
 *           later message has an OBR-3 of its own and carries the onset's OBR-3 in OBR-29.2, its components
 *           written as sub-components (`^E0001_27&PAT_DEVICE_BBRAUN&0012211839000001&EUI-64`). The two are
 *           compared part by part (an EI at component level against one at sub-component level), never as
 *           strings. A follow-up for an alert we have no record of is known by its OBR-29.2.
 *   legacy  Older revisions: OBR-3 names the alert in every phase (`<id>^<namespace>^…`, or from reporters
 *           that count their messages `<counter>^<uuid>^…`, the UUID being the alert), with a parent in
 *           OBR-29 winning when present.
 *
 * An identity is the EI's parts in the standard encoding, joined by `^`: `E0001_27^PAT_DEVICE_BBRAUN^…`, so
 * the same alert gives the same string whatever delimiters the reporter used and whichever field carried it.
 */
import {
  type Delimiters,
  escape as escapeHl7,
  type Segment,
  splitComposite,
  toStandardEncoding,
} from '../../protocols/hl7/index.ts';

export type PcdProfile = 'rev10' | 'legacy';

/** What OBR-3 and OBR-29 say of the alert, in the standard encoding. */
export interface AlertReference {
  /** OBR-3 as sent (its first repetition), in the standard encoding: this message's own identifier. */
  fillerOrder: string;
  /** OBR-29.2's sub-components as an EI at component level ('' when empty). */
  parent: string;
  /** The identity an older-revision reporter means (see legacyIdentity). */
  legacy: string;
}

export function readReference(obr: Segment | undefined, d: Delimiters): AlertReference {
  if (!obr) return { fillerOrder: '', parent: '', legacy: '' };
  const raw29 = obr.repetitions(29)[0]?.text ?? '';
  const parentParts = splitComposite(raw29, d)[1] ?? [];
  return {
    fillerOrder: toStandardEncoding(obr.repetitions(3)[0]?.text ?? '', d),
    parent: toStandardEncoding(parentParts.map((p) => escapeHl7(p, d)).join(d.component), d),
    legacy: legacyIdentity(obr),
  };
}

/**
 * The alert a message belongs to under a profile; `onset` says whether its phase reports the alert's onset
 * (isOnset in pcd-alarm.ts). A rev10 follow-up that leaves OBR-29.2 empty (which the TF does not allow) is
 * taken by its OBR-3, as an older reporter would mean it, rather than dropped.
 */
export function alertIdentity(ref: AlertReference, onset: boolean, profile: PcdProfile): string {
  if (profile === 'legacy') return ref.legacy;
  // At onset OBR-29.2 is empty or repeats OBR-3 and "shall not be used" (TF-2 B.7): the TF's own Mindray
  // example repeats it with a differently spelled universal id type, so OBR-3 alone decides.
  if (onset) return flattened(ref.fillerOrder);
  return flattened(ref.parent || ref.fillerOrder);
}

/**
 * Transcribing OBR-3 into OBR-29.2 turns every component and sub-component into a sub-component (TF-2 B.7),
 * so an OBR-3 component with sub-components of its own (`77^ICU&B1`) comes back flat (`77&ICU&B1`): the
 * identity is the flat list of parts. A literal `&` inside a value is escaped (`\T\`), never a separator.
 */
function flattened(ei: string): string {
  return ei.replace(/&/g, '^');
}

/**
 * Older revisions: OBR-3 identifies the alert in every phase. Two shapes are in use: `<id>^<namespace>^…`
 * and, from sources that count updates, `<counter>^<uuid>^…` where the counter changes per message and the
 * UUID is the identity. A parent reference in OBR-29 (EIP: placer ^ filler) points back at the first message
 * and wins when present.
 */
export function legacyIdentity(obr: Segment): string {
  if (obr.value('29.2.1')) return idAndNamespace(obr.value('29.2.1') ?? '', obr.value('29.2.2') ?? '');
  if (obr.value('29.1.1')) return idAndNamespace(obr.value('29.1.1') ?? '', obr.value('29.1.2') ?? '');
  return idAndNamespace(obr.value('3.1') ?? '', obr.value('3.2') ?? '');
}

function idAndNamespace(id: string, ns: string): string {
  if (/^(urn:uuid:)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(ns)) return ns;
  return ns ? `${id}^${ns}` : id;
}
