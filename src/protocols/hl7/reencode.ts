/**
 * Writes a composite value received under a sender's delimiters in the standard ones (`|^~\&`), piece by
 * piece: each subcomponent is unescaped with the sender's delimiters and escaped again with ours, and the
 * component and subcomponent separators stay separators. An identifier such as `ICU&B1&B1&GE_BLR_LAB` thus
 * comes back exactly as it was sent; escaping the whole component at once would turn its `&` into `\T\`
 * and the sender could no longer match it.
 */
import { type Delimiters, STANDARD_DELIMITERS } from './delimiters.ts';
import { escapeText, unescapeText } from './escape.ts';
import type { Segment } from './segment.ts';

/** One repetition of a field (raw text, sender's delimiters) in the standard delimiters. */
export function toStandardEncoding(raw: string, from: Delimiters): string {
  return splitComposite(raw, from)
    .map((component) => component.map((sub) => escapeText(sub, STANDARD_DELIMITERS)).join('&'))
    .join('^');
}

/**
 * The components of one repetition, each as its unescaped subcomponents: `A^B&C` is [[A], [B, C]].
 * Trailing empty components and subcomponents are dropped, so `A^B^^` and `A^B` are the same value (HL7
 * sends nothing for an absent part).
 */
export function splitComposite(raw: string, d: Delimiters): string[][] {
  const components = raw
    .split(d.component)
    .map((c) => trimTrailing(c.split(d.subcomponent).map((s) => unescapeText(s, d))));
  while (components.length > 0 && components[components.length - 1]!.length === 0) components.pop();
  return components;
}

function trimTrailing(parts: string[]): string[] {
  let n = parts.length;
  while (n > 0 && parts[n - 1] === '') n -= 1;
  return parts.slice(0, n);
}

/**
 * A whole segment in the standard delimiters, field by field and repetition by repetition, to echo it in a
 * message of ours (the PID of an alarm in its PCD-05). Empty trailing fields are dropped.
 */
export function segmentToStandardEncoding(segment: Segment, from: Delimiters): string {
  const out = [segment.name];
  for (let n = 1; ; n++) {
    const raw = segment.field(n);
    if (raw === undefined) break;
    out.push(
      raw
        .split(from.repetition)
        .map((r) => toStandardEncoding(r, from))
        .join('~'),
    );
  }
  while (out.length > 1 && out[out.length - 1] === '') out.pop();
  return out.join('|');
}
