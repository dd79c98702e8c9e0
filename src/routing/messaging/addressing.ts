/**
 * Who a clinician's message goes to, decided when it is sent by the same model and resolver as alerts: a
 * person, whoever is on call for an assignment, a role on the patient's care team, the nurse covering the
 * patient's bed, or a group. Each recipient comes with the reason in the hospital's words, so the sender
 * sees "Dr. Farouk, on call for Cardiology, second call, 07:00–19:00, because first call (Cardiology
 * fellow) has no device".
 */
import type { PatientContext, RoutingModel } from '../model.ts';
import { callOrderWords, nobodyOnCallNote, onCallReason } from '../on-call-words.ts';
import type { RecipientResolver, ResolvedRecipient } from '../recipient-resolver.ts';
import type { RecipientSpec } from '../rules/types.ts';

export type MessageTarget =
  | { kind: 'person'; id: string }
  | { kind: 'onCall'; assignment: string }
  | { kind: 'careTeam'; role: string }
  | { kind: 'coverage'; role: string }
  | { kind: 'group'; id: string };

export interface Addressed {
  recipients: ResolvedRecipient[];
  /** Why the target found nobody, or whom it passed over. */
  notes: string[];
  /** The target in words, kept with the message: "on call for Cardiology". */
  addressedTo: string;
}

const here = { file: 'message', key: 'to' };

export class MessageAddressing {
  constructor(
    private readonly model: RoutingModel,
    private readonly resolver: RecipientResolver,
    private readonly groupName: (id: string) => string | undefined,
  ) {}

  async resolve(target: MessageTarget, ctx: { patient?: PatientContext; at: Date }): Promise<Addressed> {
    const m = this.model;
    switch (target.kind) {
      case 'person': {
        const name = m.personName(target.id);
        if (name === undefined)
          return { recipients: [], notes: [`nobody ${target.id} in the directory`], addressedTo: target.id };
        return {
          recipients: [{ personId: target.id, reason: 'named by the sender' }],
          notes: [],
          addressedTo: name,
        };
      }
      case 'group': {
        const name = this.groupName(target.id) ?? target.id;
        const r = await this.resolver.resolveAll([{ kind: 'group', id: target.id, at: here }], ctx);
        return { ...r, addressedTo: name };
      }
      case 'careTeam':
      case 'coverage': {
        const spec: RecipientSpec =
          target.kind === 'careTeam'
            ? { kind: 'careTeam', role: target.role, at: here }
            : { kind: 'coverage', role: target.role, scope: 'bedOrUnit', at: here };
        const r = await this.resolver.resolveAll([spec], ctx);
        const whose = ctx.patient?.name ?? ctx.patient?.mrn ?? 'the patient';
        const addressedTo =
          target.kind === 'careTeam' ? `${target.role} for ${whose}` : `${target.role} covering ${whose}`;
        return { ...r, addressedTo };
      }
      case 'onCall':
        return this.onCall(target.assignment, ctx.at);
    }
  }

  /**
   * The first call order with someone reachable. A call order whose people have no device (a placeholder
   * without contact points) is passed over, and the reason says so: a message must reach a person.
   */
  private async onCall(assignment: string, at: Date): Promise<Addressed> {
    const m = this.model;
    const zone = m.zone ?? 'UTC';
    const name = (await m.assignmentName?.(assignment)) ?? assignment;
    const addressedTo = `on call for ${name}`;
    const entries = (await m.onCall(assignment, at)).sort((a, b) => a.callOrder - b.callOrder);
    const passed: string[] = [];
    for (const order of [...new Set(entries.map((e) => e.callOrder))]) {
      const here = entries.filter((e) => e.callOrder === order);
      const reachable = here.filter((e) => m.isReachable(e.personId));
      if (reachable.length === 0) {
        const who = here.map((e) => m.personName(e.personId) ?? e.personId).join(', ');
        passed.push(`${callOrderWords(order)} (${who}) has no device`);
        continue;
      }
      const because = passed.length ? `, because ${passed.join(' and ')}` : '';
      return {
        recipients: reachable.map((e) => ({
          personId: e.personId,
          reason: `${onCallReason(name, e, zone)}${because}`,
        })),
        notes: passed,
        addressedTo,
      };
    }
    const gap = entries.length ? undefined : await m.onCallGap?.(assignment, at);
    const note = entries.length
      ? `nobody reachable on call for ${name}: ${passed.join(' and ')}`
      : nobodyOnCallNote(name, at, zone, { order: 'first', othersOnCall: false, gap });
    return { recipients: [], notes: [note], addressedTo };
  }
}
