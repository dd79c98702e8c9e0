import type { PatientContext, RoutingModel } from './model.ts';
import { describeLocation } from './patient-context.ts';
import type { EscalationTarget, RecipientSpec } from './rules/types.ts';

/** A person to notify, and why, in words an analyst reads on the timeline. */
export interface ResolvedRecipient {
  personId: string;
  reason: string;
}

/** The recipients a rule resolved when the alert was raised, kept for "the rule's recipients" steps. */
export type RuleRecipients = readonly RecipientSpec[];

/**
 * Turns recipient specs ("on call for hospitalist, first in call order", "the nurse covering the bed") into
 * people, at a given time, for a given patient. A spec that finds nobody yields nothing: the escalation
 * engine then skips the step rather than waiting it out.
 */
export class RecipientResolver {
  constructor(private readonly model: RoutingModel) {}

  async resolveAll(
    specs: readonly (RecipientSpec | EscalationTarget)[],
    ctx: { patient?: PatientContext; at: Date; ruleRecipients?: RuleRecipients },
  ): Promise<{ recipients: ResolvedRecipient[]; notes: string[] }> {
    const out = new Map<string, ResolvedRecipient>();
    const notes: string[] = [];
    for (const spec of specs) {
      const list =
        spec.kind === 'ruleRecipients'
          ? (await this.resolveAll(ctx.ruleRecipients ?? [], ctx)).recipients
          : await this.resolve(spec, ctx, notes);
      for (const r of list) if (!out.has(r.personId)) out.set(r.personId, r);
    }
    return { recipients: [...out.values()], notes };
  }

  private async resolve(
    spec: RecipientSpec,
    ctx: { patient?: PatientContext; at: Date },
    notes: string[],
  ): Promise<ResolvedRecipient[]> {
    const m = this.model;
    switch (spec.kind) {
      case 'person':
        if (m.personName(spec.id) === undefined) {
          notes.push(`person ${spec.id} is not in the directory`);
          return [];
        }
        return [{ personId: spec.id, reason: `named in the rule (${spec.at.file}:${spec.at.line ?? '?'})` }];
      case 'group': {
        const members = m.groupMembers(spec.id);
        if (!members?.length) notes.push(`group ${spec.id} has no members`);
        return (members ?? []).map((personId) => ({ personId, reason: `member of group ${spec.id}` }));
      }
      case 'pager': {
        const people = m.peopleByPager(spec.number);
        if (!people.length) notes.push(`no one holds pager ${spec.number}`);
        return people.map((personId) => ({ personId, reason: `holds pager ${spec.number}` }));
      }
      case 'onCall': {
        const entries = (await m.onCall(spec.assignment, ctx.at)).sort((a, b) => a.callOrder - b.callOrder);
        const orders = [...new Set(entries.map((e) => e.callOrder))];
        let chosen = entries;
        if (spec.order === 'first') chosen = entries.filter((e) => e.callOrder === orders[0]);
        else if (typeof spec.order === 'number') {
          const wanted = spec.order;
          chosen = entries.filter((e) => e.callOrder === wanted);
        }
        if (!chosen.length)
          notes.push(
            `nobody on call for ${spec.assignment} (order ${spec.order}) at ${ctx.at.toISOString()}`,
          );
        return chosen.map((e) => ({
          personId: e.personId,
          reason: `on call for ${spec.assignment}, call order ${e.callOrder} (shift ${e.shiftId}, ${e.start.toISOString()}–${e.end.toISOString()})`,
        }));
      }
      case 'careTeam': {
        if (!ctx.patient?.mrn) {
          notes.push(`care team ${spec.role}: the message names no patient`);
          return [];
        }
        const matching = await m.careTeam(ctx.patient.mrn, spec.role, ctx.at);
        for (const t of matching)
          if (!t.personId) notes.push(`care team ${t.role} ${t.provider} matches no directory person`);
        if (!matching.length) notes.push(`patient has no ${spec.role} on the care team`);
        return matching
          .filter((t) => t.personId)
          .map((t) => ({
            personId: t.personId!,
            reason: `${t.role} on the patient's care team (${t.provider})`,
          }));
      }
      case 'coverage': {
        const location =
          ctx.patient?.location ?? (ctx.patient?.mrn ? await m.patientLocation(ctx.patient.mrn) : undefined);
        if (!location?.unit) {
          notes.push(`coverage ${spec.role}: the patient's location is unknown`);
          return [];
        }
        const people = await m.covering(location, spec.role, spec.scope, ctx.at);
        const where = describeLocation(location);
        if (!people.length) notes.push(`nobody covers ${where} as ${spec.role}`);
        return people.map((personId) => ({ personId, reason: `${spec.role} covering ${where}` }));
      }
    }
  }
}
