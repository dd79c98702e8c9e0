/**
 * Staff assignment over HL7 v2 (the Vocera/Stryker style): each change of a covered shift becomes an
 * ADT^A08 (or the configured event) with ROL segments naming who covers the role, sent over MLLP to the
 * CC&C platform's listener, one message at a time, waiting for its ACK. AA/CA: done. AE/CE: the
 * receiver could not apply it now: retried with the backoff, the ERR text kept. AR/CR: refused: dead at
 * once with the ERR text. Jobs coalesce per shift; the sender remembers whom it last told the receiver
 * of, so a person replaced while the receiver was down is released (DE) in the message that adds the
 * new one.
 */
import type { SectionChecks } from '../../kit/section-checks.ts';
import type { ConnectorStore } from '../../store/connector-port.ts';
import type { Delivery } from '../../store/outbox-port.ts';
import type { ScheduleChange, Shift } from '../../store/schedule-port.ts';
import {
  type Connector,
  type ConnectorKind,
  type ConnectorPlan,
  type ConnectorSender,
  type ConnectorSettings,
  channelOf,
  type KindContext,
  type PlanningContext,
  targetOf,
} from '../connector.ts';
import { TargetError } from '../errors.ts';
import { ConnectorsById } from '../senders.ts';
import { viewShift } from '../shift-view.ts';
import { buildStaffAssignment, personOf, type RolePerson, readStaffAck } from './message.ts';

export interface StaffHl7Options {
  /** @defaultValue ADT^A08^ADT_A01 */
  messageType: string;
  sendingApplication: string;
  sendingFacility: string;
  receivingApplication: string;
  receivingFacility: string;
  /** @defaultValue 30000 */
  ackTimeoutMs: number;
}

/** What one job asks the receiver to hold for one shift. */
interface StaffJob {
  connector: string;
  shiftId: string;
  /** null: nobody covers it any more. */
  covering: {
    person: RolePerson;
    roles: string[];
    unit: string;
    start: string;
    end: string;
    roleText: string;
  } | null;
}

/** Whom the receiver was last told covers a shift, and under which roles. */
interface Told {
  person: RolePerson;
  roles: string[];
  unit: string;
  roleText: string;
}

/** How the sender reaches an MLLP listener (wiring gives it the delivery layer's MLLP client). */
export type MllpSend = (
  target: { host: string; port: number; ackTimeoutMs: number },
  message: string,
) => Promise<string>;

const KIND = 'hl7-staff';

class StaffHl7Connector implements Connector {
  constructor(readonly settings: ConnectorSettings<StaffHl7Options>) {}

  async planChanges(changes: readonly ScheduleChange[], ctx: PlanningContext): Promise<ConnectorPlan> {
    const plan: ConnectorPlan = { jobs: [], skipped: [] };
    for (const c of changes) this.add(plan, c.shiftId, c.after, ctx);
    return plan;
  }

  async planWindow(shifts: readonly Shift[], _w: unknown, ctx: PlanningContext): Promise<ConnectorPlan> {
    const plan: ConnectorPlan = { jobs: [], skipped: [] };
    for (const s of shifts) this.add(plan, s.id, s, ctx);
    return plan;
  }

  private add(plan: ConnectorPlan, shiftId: string, after: Shift | null, ctx: PlanningContext): void {
    const view = after ? viewShift(after, this.settings, ctx) : undefined;
    if (view?.kind === 'skipped') plan.skipped?.push(view.skip);
    let covering: StaffJob['covering'] = null;
    if (view?.kind === 'shown') {
      const f = view.facts;
      // Mapping entries are 'ROLE' or 'ROLE@UNIT': the role code, and the unit the receiver files it under.
      const names = f.targetNames.length ? f.targetNames : [f.assignmentId];
      const roles = names.map((n) => n.split('@')[0]);
      const unit = names.find((n) => n.includes('@'))?.split('@')[1] ?? f.department;
      covering = {
        person: personOf(f.targetPersonId, f.personName),
        roles,
        unit,
        start: f.start.toISOString(),
        end: f.end.toISOString(),
        roleText: f.assignmentName,
      };
    }
    plan.jobs.push({
      channel: channelOf(KIND),
      target: targetOf(this.settings.id, this.settings.target),
      payload: { connector: this.settings.id, shiftId, covering } satisfies StaffJob,
      alertId: null,
      coalesceKey: `${this.settings.id}:shift:${shiftId}`,
    });
  }
}

class StaffHl7Sender implements ConnectorSender {
  private readonly byId: ConnectorsById<StaffHl7Options>;

  constructor(
    ctx: KindContext,
    private readonly store: ConnectorStore,
    private readonly mllp: MllpSend,
    private readonly now: () => Date,
  ) {
    this.byId = new ConnectorsById(ctx.connectors, KIND);
  }

  async send(d: Delivery): Promise<string> {
    const job = d.payload as StaffJob;
    const s = this.byId.of(job.connector);
    const [host, port] = splitHostPort(s.target);
    const key = `told:${job.shiftId}`;
    const told = (await this.store.state(s.id, key)) as Told | undefined;
    const c = job.covering;
    const samePerson = told && c && told.person.id === c.person.id;
    const roles = c?.roles ?? told?.roles ?? [];
    const answers: string[] = [];
    // One message per role the shift is filed under (the receiver keys assignments by role).
    for (const [i, role] of roles.entries()) {
      const message = buildStaffAssignment(
        {
          sendingApplication: s.options.sendingApplication,
          sendingFacility: s.options.sendingFacility,
          receivingApplication: s.options.receivingApplication,
          receivingFacility: s.options.receivingFacility,
          messageType: s.options.messageType,
          // Stable across retries of this job (a receiver may drop a repeat), unique per message.
          controlId: `SB${d.id}-${i + 1}`,
          now: this.now(),
        },
        {
          shiftId: job.shiftId,
          role: { code: role, text: c?.roleText ?? told?.roleText ?? role },
          unit: c?.unit ?? told?.unit ?? '',
          covering: c
            ? { person: c.person, start: new Date(c.start), end: new Date(c.end), action: told ? 'UP' : 'AD' }
            : null,
          released: told && !samePerson ? told.person : null,
        },
      );
      let ack: string;
      try {
        ack = await this.mllp({ host, port, ackTimeoutMs: s.options.ackTimeoutMs }, message);
      } catch (err) {
        throw new TargetError(`MLLP ${s.target}: ${(err as Error).message}`);
      }
      const { code, text } = readStaffAck(ack);
      if (code === 'AR' || code === 'CR') throw new TargetError(`${code} ${text}`.trim(), true);
      if (code !== 'AA' && code !== 'CA') throw new TargetError(`${code || 'no MSA'} ${text}`.trim());
      answers.push(code);
    }
    const next: Told | null = c
      ? { person: c.person, roles: c.roles, unit: c.unit, roleText: c.roleText }
      : null;
    await this.store.putState(s.id, [{ key, value: next }]);
    return answers.length ? answers.join(' ') : 'nothing to tell';
  }

  describe(d: Delivery): { target: string; summary: string } {
    const job = d.payload as StaffJob;
    const who = job.covering ? `${job.covering.person.given} ${job.covering.person.family}` : 'nobody';
    return { target: this.byId.get(job.connector)?.target ?? '', summary: `shift ${job.shiftId}: ${who}` };
  }
}

function splitHostPort(target: string): [string, number] {
  const i = target.lastIndexOf(':');
  return [target.slice(0, i), Number(target.slice(i + 1))];
}

export const staffHl7Kind: ConnectorKind<StaffHl7Options> = {
  kind: KIND,
  optionKeys: [
    'messageType',
    'sendingApplication',
    'sendingFacility',
    'receivingApplication',
    'receivingFacility',
    'ackTimeoutMs',
  ],
  cadences: ['onChange'],
  readOptions(raw, checks: SectionChecks, path) {
    const messageType = checks.text(raw?.messageType, [...path, 'messageType'], false) ?? 'ADT^A08^ADT_A01';
    if (!/^[A-Z0-9]{3}\^[A-Z0-9]{3}(\^[A-Z0-9_]+)?$/.test(messageType))
      checks.report([...path, 'messageType'], 'must be an HL7 message type such as ADT^A08^ADT_A01');
    const text = (k: string, fallback: string) => checks.text(raw?.[k], [...path, k], false) ?? fallback;
    return {
      messageType,
      sendingApplication: text('sendingApplication', 'SWITCHBOARD'),
      sendingFacility: text('sendingFacility', 'HOSPITAL'),
      receivingApplication: text('receivingApplication', 'CCC'),
      receivingFacility: text('receivingFacility', 'HOSPITAL'),
      ackTimeoutMs: checks.whole(raw?.ackTimeoutMs, [...path, 'ackTimeoutMs'], 100, 300_000, 30_000),
    };
  },
  create: (settings) => new StaffHl7Connector(settings),
  sender(ctx) {
    const none: MllpSend = async () => {
      throw new TargetError('no MLLP sender here (the running Switchboard has one)');
    };
    return new StaffHl7Sender(ctx, ctx.store, ctx.mllp ?? none, ctx.planning.now);
  },
};
