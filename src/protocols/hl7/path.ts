/**
 * Field paths in the notation interface analysts already write:
 *
 *   PID-3          field 3 of the first PID, first repetition
 *   PID-3.1        its first component
 *   PID-3.1.2      second sub-component of that component
 *   OBX[2]-5.1     the second OBX segment (1-based among OBX segments)
 *   PID-3(2).1     the second repetition of PID-3
 *
 * A path given to Segment.value may leave out the segment: '3(2).1'.
 */

export interface FieldPath {
  /** Upper-case segment id, or undefined when the path was relative to a segment. */
  segment?: string;
  /** Which occurrence of the segment (1-based), undefined when not given. */
  occurrence?: number;
  field: number;
  /** Repetition (1-based), undefined when not given. */
  repetition?: number;
  component?: number;
  subcomponent?: number;
}

const PATH = /^(?:([A-Za-z0-9]{3})(?:\[(\d+)\])?-)?(\d+)(?:\((\d+)\))?(?:\.(\d+)(?:\.(\d+))?)?$/;

const cache = new Map<string, FieldPath>();
const CACHE_LIMIT = 1024;

function positive(text: string | undefined, path: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1)
    throw new TypeError(`HL7 path ${JSON.stringify(path)}: ${text} is not 1 or more`);
  return n;
}

/**
 * Compiles a path (cached: rules read the same few paths from every message). A malformed path is a
 * programming or configuration mistake, not bad input, so it throws a TypeError naming the path.
 */
export function compilePath(path: string): FieldPath {
  const cached = cache.get(path);
  if (cached !== undefined) return cached;
  const m = PATH.exec(path.trim());
  if (m === null) {
    throw new TypeError(
      `HL7 path ${JSON.stringify(path)} is not of the form SEG[n]-field(repetition).component.subcomponent`,
    );
  }
  const compiled: FieldPath = { field: positive(m[3], path)! };
  if (m[1] !== undefined) compiled.segment = m[1].toUpperCase();
  const occurrence = positive(m[2], path);
  if (occurrence !== undefined) compiled.occurrence = occurrence;
  const repetition = positive(m[4], path);
  if (repetition !== undefined) compiled.repetition = repetition;
  const componentNumber = positive(m[5], path);
  if (componentNumber !== undefined) compiled.component = componentNumber;
  const subcomponent = positive(m[6], path);
  if (subcomponent !== undefined) compiled.subcomponent = subcomponent;
  Object.freeze(compiled);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(path, compiled);
  return compiled;
}

/** Like compilePath, but the segment is required (message-level access). */
export function compileMessagePath(path: string): FieldPath & { segment: string } {
  const compiled = compilePath(path);
  if (compiled.segment === undefined) {
    throw new TypeError(`HL7 path ${JSON.stringify(path)} needs a segment id, e.g. PID-3`);
  }
  return compiled as FieldPath & { segment: string };
}
