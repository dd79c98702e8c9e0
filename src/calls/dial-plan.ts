/**
 * The dial plan: numbers Switchboard answers (an extension, a DID, a short code, a virtual pager number)
 * and who they reach, written as the same recipient specs as routing rules ("on call for hospitalist",
 * "the nurse covering 4W 401-A", a group, a person). Resolution happens per call, at the time of the call,
 * through the RecipientResolver, so a call reaches whoever is on call *now*.
 */

import type { CallRoute, CallRoutingPort, CallTarget } from '../routing/call-port.ts';
import type { PatientContext } from '../routing/model.ts';
import type { RecipientResolver } from '../routing/recipient-resolver.ts';
import type { RecipientSpec, SourceLocation } from '../routing/rules/types.ts';
import type { DialPlanEntryConfig, DialPlanRecipient } from './sip-config.ts';

/** How far along the call order "move on" goes for an on-call recipient. */
const MAX_CALL_ORDER = 9;

export interface DialPlanEntry {
  id: string;
  numbers: ReadonlySet<string>;
  pattern?: RegExp;
  recipients: RecipientSpec[];
  ring: 'parallel' | 'sequential';
  noAnswerMs: number;
  location?: PatientContext['location'];
  trunk: boolean;
  stripPrefix?: string;
}

/** Turns a config entry's recipients into the routing core's specs (already validated by the schema). */
export function toSpec(r: DialPlanRecipient, at: SourceLocation): RecipientSpec {
  if (r.onCall !== undefined) return { kind: 'onCall', assignment: r.onCall, order: r.order ?? 'first', at };
  if (r.person !== undefined) return { kind: 'person', id: r.person, at };
  if (r.group !== undefined) return { kind: 'group', id: r.group, at };
  if (r.coverage !== undefined)
    return { kind: 'coverage', role: r.coverage, scope: r.scope ?? 'bedOrUnit', at };
  if (r.pager !== undefined) return { kind: 'pager', number: r.pager, at };
  throw new Error(`${at.file} ${at.key}: a recipient needs onCall, person, group, coverage or pager`);
}

export function compileDialPlan(entries: readonly DialPlanEntryConfig[], defaultNoAnswerSeconds: number) {
  return entries.map((e, i): DialPlanEntry => {
    const at = (j: number): SourceLocation => ({ file: 'sip', key: `sip.dialPlan.${i}.recipients.${j}` });
    let pattern: RegExp | undefined;
    if (e.pattern !== undefined) {
      try {
        pattern = new RegExp(`^(?:${e.pattern})$`);
      } catch (err) {
        throw new Error(`sip.dialPlan.${i}.pattern: ${(err as Error).message}`);
      }
    }
    if (!e.trunk && e.recipients.length === 0)
      throw new Error(`sip.dialPlan.${i} (${e.id}): needs recipients, or trunk: true`);
    return {
      id: e.id,
      numbers: new Set(e.numbers),
      pattern,
      recipients: e.recipients.map((r, j) => toSpec(r, at(j))),
      ring: e.ring,
      noAnswerMs: (e.noAnswerSeconds ?? defaultNoAnswerSeconds) * 1000,
      location: e.location,
      trunk: e.trunk,
      stripPrefix: e.stripPrefix,
    };
  });
}

/** Normalises what was dialled: visual separators of tel numbers go (RFC 3966 section 5.1.1). */
export function normaliseDialled(user: string): string {
  return decodeURIComponent(user).replace(/[-.() ]/g, '');
}

/**
 * A route is looked up again after this long. Who is on call changes at shift boundaries, minutes
 * apart; at hundreds of calls per second to one number, a fresh schedule query per call was the
 * gateway's largest single cost.
 */
export const ROUTE_CACHE_MS = 1000;

export class DialPlan implements CallRoutingPort {
  private readonly cache = new Map<string, { until: number; route: Promise<CallRoute | undefined> }>();

  constructor(
    private readonly entries: readonly DialPlanEntry[],
    private readonly resolver: RecipientResolver,
    private readonly cacheMs = ROUTE_CACHE_MS,
  ) {}

  /** The entry a number reaches: exact numbers first, then patterns, in file order. */
  match(dialled: string): DialPlanEntry | undefined {
    const n = normaliseDialled(dialled);
    return this.entries.find((e) => e.numbers.has(n)) ?? this.entries.find((e) => e.pattern?.test(n));
  }

  route(dialled: string, at: Date): Promise<CallRoute | undefined> {
    const key = normaliseDialled(dialled);
    const now = at.getTime();
    const hit = this.cache.get(key);
    // Only a cache for "now": a lookup for another time (a test's clock, a dry run) goes to the schedules.
    if (hit && now < hit.until && now >= hit.until - this.cacheMs) return hit.route;
    const route = this.lookup(dialled, at);
    if (this.cacheMs > 0) {
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(key, { until: now + this.cacheMs, route });
      route.catch(() => this.cache.delete(key));
    }
    return route;
  }

  private async lookup(dialled: string, at: Date): Promise<CallRoute | undefined> {
    const entry = this.match(dialled);
    if (!entry) return undefined;
    const n = normaliseDialled(dialled);
    if (entry.trunk) {
      const number =
        entry.stripPrefix && n.startsWith(entry.stripPrefix) ? n.slice(entry.stripPrefix.length) : n;
      return { kind: 'trunk', id: entry.id, number };
    }
    const ctx = { at, patient: entry.location ? { mrn: '', location: entry.location } : undefined };
    const notes: string[] = [];
    const stages: CallTarget[][] = [];
    const seen = new Set<string>();
    const add = (stage: CallTarget[]) => {
      const fresh = stage.filter((t) => !seen.has(t.personId));
      for (const t of fresh) seen.add(t.personId);
      if (fresh.length) stages.push(fresh);
    };
    for (const spec of entry.recipients) {
      if (spec.kind === 'onCall' && spec.order !== 'all' && entry.ring === 'sequential') {
        // "No answer moves on along the call order": ring order 1 (or the named one), then 2, 3 …
        const first = spec.order === 'first' ? 1 : spec.order;
        for (let order = first; order <= MAX_CALL_ORDER; order++) {
          const { recipients, notes: n2 } = await this.resolver.resolveAll([{ ...spec, order }], ctx);
          if (order === first) notes.push(...n2);
          add(recipients.map((r) => ({ personId: r.personId, reason: r.reason })));
        }
        continue;
      }
      const { recipients, notes: n2 } = await this.resolver.resolveAll([spec], ctx);
      notes.push(...n2);
      const targets = recipients.map((r) => ({ personId: r.personId, reason: r.reason }));
      if (entry.ring === 'parallel') add(targets);
      else for (const t of targets) add([t]);
    }
    if (entry.ring === 'parallel' && stages.length > 1) {
      // Parallel ringing: everyone at once, one stage.
      const all = stages.flat();
      stages.splice(0, stages.length, all);
    }
    return { kind: 'people', id: entry.id, stages, noAnswerMs: entry.noAnswerMs, notes };
  }

  /** For SIP MESSAGE: the specs and location a number stands for (the alert resolves them itself). */
  recipientsFor(
    dialled: string,
  ):
    | { entry: DialPlanEntry; recipients: RecipientSpec[]; location?: PatientContext['location'] }
    | undefined {
    const entry = this.match(dialled);
    if (!entry || entry.trunk) return undefined;
    return { entry, recipients: entry.recipients, location: entry.location };
  }
}
