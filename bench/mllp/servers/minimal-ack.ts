/**
 * What the baseline servers need of HL7: MSH-10 of a frame and the smallest ACK that a sender accepts
 * (HL7 v2.5.1 section 2.9.2, original mode: MSA-1 AA, MSA-2 echoing MSH-10). Deliberately much less than
 * Switchboard's codec: the baselines show what the machine can do, not what a careful engine does.
 */

/** MSH-10 of a message whose first bytes are `MSH` and its field separator, or undefined. */
export function controlIdOf(body: Buffer): string | undefined {
  if (body.length < 8 || body[0] !== 0x4d || body[1] !== 0x53 || body[2] !== 0x48) return undefined;
  const separator = body[3];
  // MSH-1 is the separator at index 3 itself (it opens MSH-2), so MSH-10 starts after eight more.
  let at = 3;
  for (let field = 2; field < 10; field++) {
    at = body.indexOf(separator, at + 1);
    if (at < 0) return undefined;
  }
  let end = at + 1;
  while (end < body.length && body[end] !== separator && body[end] !== 0x0d) end++;
  return body.toString('latin1', at + 1, end);
}

/** Builds `MSH…ACK` + `MSA|AA|<id>` with a fresh ACK control id per call. */
export function minimalAckSource(): (controlId: string) => string {
  let n = 0;
  const stamp = () => new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
  let now = stamp();
  let nowSecond = Math.floor(Date.now() / 1000);
  return (controlId) => {
    const second = Math.floor(Date.now() / 1000);
    if (second !== nowSecond) {
      nowSecond = second;
      now = stamp();
    }
    n += 1;
    return `MSH|^~\\&|BENCH|BENCH|||${now}||ACK|BA${n}|P|2.5.1\rMSA|AA|${controlId}\r`;
  };
}

/** The ACK for a frame we could not read: AR, so a sender never takes it for a success. */
export const unreadableAck = 'MSH|^~\\&|BENCH|BENCH|||||ACK|BAERR|P|2.5.1\rMSA|AR|\r';
