import type { PatientContext, RoutingModel } from './model.ts';
import { nobodyOnCallNote, onCallReason } from './on-call-words.ts';
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
      let list: ResolvedRecipient[];
      if (spec.kind === 'ruleRecipients') {
        // The rule's own targets: their notes say why a step that pages "the rule's recipients" found nobody.
        const ofRule = await this.resolveAll(ctx.ruleRecipients ?? [], ctx);
        list = ofRule.recipients;
        notes.push(...ofRule.notes);
      } else list = await this.resolve(spec, ctx, notes);
      for (const r of list) {
        // A deactivated person may still be on a schedule or in a rule: they are left out, and said so.
        if (this.model.isDeactivated?.(r.personId)) {
          notes.push(`${this.model.personName(r.personId) ?? r.personId} is deactivated and was left out`);
          continue;
        }
        if (!out.has(r.personId)) out.set(r.personId, r);
      }
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
        const zone = m.zone ?? 'UTC';
        const name = (await m.assignmentName?.(spec.assignment)) ?? spec.assignment;
        if (!chosen.length) {
          const gap = entries.length ? undefined : await m.onCallGap?.(spec.assignment, ctx.at);
          notes.push(
            nobodyOnCallNote(name, ctx.at, zone, {
              order: spec.order,
              othersOnCall: entries.length > 0,
              gap,
            }),
          );
        }
        return chosen.map((e) => ({ personId: e.personId, reason: onCallReason(name, e, zone) }));
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
