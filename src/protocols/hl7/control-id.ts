/**
 * Fresh control ids (MSH-10) for the messages Switchboard sends: unique within this process and across
 * restarts (a time prefix), at most 20 characters as HL7 v2.3–2.5 allow.
 */
export function controlIdSource(prefix = 'SB'): () => string {
  const start = Date.now().toString(36).toUpperCase();
  let n = 0;
  return () => {
    n += 1;
    return `${prefix}${start}${n.toString(36).toUpperCase().padStart(4, '0')}`.slice(0, 20);
  };
}
