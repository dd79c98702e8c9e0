/**
 * Wires the connectors into a running Switchboard: the cycle that turns the schedule change feed into
 * jobs, each kind's sender on the outbox worker (channel `connector:<kind>`, with the connector's retry
 * and jitter), and the failure digest e-mailed to the site's administrators through the paging carriers'
 * SMTP. main.ts calls installConnectors after the outbound channels and before the worker starts.
 */
import type { Logger } from 'pino';
import {
  type ConnectorKind,
  type ConnectorSettings,
  channelOf,
  type KindContext,
} from '../connectors/connector.ts';
import { ConnectorCycle, type ConnectorCycle as Cycle } from '../connectors/connector-cycle.ts';
import { DIGEST_CHANNEL, type DigestOrder, digestText } from '../connectors/digest.ts';
import type { ChangeFeed } from '../connectors/feed-consumer.ts';
import { IcalFeeds } from '../connectors/ical/feeds.ts';
import { connectorKinds } from '../connectors/kinds.ts';
import { MllpClient } from '../delivery/mllp/client.ts';
import type { DeliveryWorker } from '../delivery/outbox/worker.ts';
import { PermanentDeliveryError } from '../delivery/outbox/worker.ts';
import { CarrierGateway, type CarrierTable, carrierFor } from '../delivery/paging/carriers.ts';
import type { Directory } from '../directory/directory.ts';
import { MessagingError, type MessagingService } from '../routing/messaging/messaging-service.ts';
import type { ConnectorStore } from '../store/connector-port.ts';
import type { OutboxStore } from '../store/outbox-port.ts';
import type { Assignment, Shift } from '../store/schedule-port.ts';
import type { DutyRoster } from './duty-roster.ts';

export interface ConnectorWiringOptions {
  settings: readonly ConnectorSettings[];
  store: ConnectorStore;
  outbox: OutboxStore;
  /** The schedule store: its change feed, and who is on an assignment at an instant. */
  feed: ChangeFeed & { shiftsAt(assignmentId: string, at: Date): Promise<Shift[]> };
  worker: DeliveryWorker;
  directory: () => Directory;
  /** Assignments as the schedules know them (names for subjects and bodies). */
  assignments: () => readonly Assignment[];
  zone: string;
  siteName: string;
  /** Mail addresses of the site's administrators (the digest goes to them). */
  administrators: () => readonly string[];
  /** The paging carriers: the digest goes out through the SMTP one. */
  paging: CarrierTable;
  /**
   * Clinician messaging: handoff notices go into a person's app through its `notify`. Absent, a connector
   * told to use the app cannot send (its jobs fail and retry).
   */
  messaging?: Pick<MessagingService, 'notify'>;
  now: () => Date;
  log: Logger;
  fetch?: typeof fetch;
  kinds?: ReadonlyMap<string, ConnectorKind<never>>;
  /** Tick the cycle on a timer. Behaviour tests pass false and call `cycle.tick()`. @defaultValue true */
  poll?: boolean;
  /** @defaultValue 2000 */
  pollMs?: number;
  /**
   * The instance's roster of cluster duties: the cycle is one duty (`connector-cycle`), so a cluster plans
   * each connector's jobs from one instance. Absent, this instance runs the cycle.
   */
  duties?: DutyRoster;
}

export interface Connectors {
  cycle: Cycle;
  /** The iCalendar feeds of the ical connectors (tokens and rendering). */
  feeds: IcalFeeds;
  start(): void;
  stop(): Promise<void>;
}

/** One HL7 message to an MLLP listener on a connection of its own, waiting for its ACK. */
async function sendOverMllp(
  target: { host: string; port: number; ackTimeoutMs: number },
  message: string,
): Promise<string> {
  const client = new MllpClient(target);
  await client.connect();
  try {
    return await client.send(message);
  } finally {
    await client.close();
  }
}

/** Mail addresses of the accounts with the admin role that name a directory person with an email contact. */
export function administratorAddresses(
  accounts: ReadonlyArray<{ role: string; person?: string }>,
  directory: Directory,
): string[] {
  const people = accounts.filter((a) => a.role === 'admin' && a.person).map((a) => a.person as string);
  const mail = people.flatMap((id) =>
    (directory.person(id)?.contacts ?? []).filter((c) => c.kind === 'email').map((c) => c.address),
  );
  return [...new Set(mail)];
}

/** A connector's app notice through clinician messaging: durable before it resolves, audited, pushed. */
function notifyIn(messaging: Pick<MessagingService, 'notify'>): KindContext['notifyApp'] {
  return async (personId, subject, text, key) => {
    try {
      const { conversation, message } = await messaging.notify(personId, { subject, body: text, key });
      return `${personId} app: message ${message.id} in conversation ${conversation.id}`;
    } catch (err) {
      // Nobody of that id in the directory: trying again cannot help.
      if (err instanceof MessagingError) throw new PermanentDeliveryError(`app: ${err.message}`);
      throw err;
    }
  };
}

export function installConnectors(o: ConnectorWiringOptions): Connectors {
  const log = o.log.child({ part: 'connectors' });
  const byId = () => new Map(o.assignments().map((a) => [a.id, a]));
  let assignments = byId();
  // Handoff notices are pages: the carriers' own length limits apply.
  const pager = new CarrierGateway(() => o.paging.carriers, o.fetch);
  // Undefined when the person has no pager or e-mail contact: the kind decides whether another channel
  // (the app) told them instead.
  const page = async (personId: string, text: string, key: string): Promise<string | undefined> => {
    const person = o.directory().person(personId);
    const contacts = (person?.contacts ?? []).filter((c) => c.kind === 'pager' || c.kind === 'email');
    if (contacts.length === 0) return undefined;
    const answers: string[] = [];
    for (const [i, c] of contacts.entries()) {
      const carrier = carrierFor(c, o.paging);
      if (!carrier)
        throw new PermanentDeliveryError(`no carrier in paging.carriers for ${c.kind} ${c.address}`);
      answers.push(
        await pager.send({
          carrier: carrier.name,
          contactKind: c.kind as 'pager' | 'email',
          address: c.address,
          text,
          messageId: `${key}-${i + 1}`,
          personId,
          priority: 'normal',
        }),
      );
    }
    return answers.join('; ');
  };
  const planning = {
    directory: o.directory,
    assignment: (id: string) => assignments.get(id),
    zone: o.zone,
    now: o.now,
  };
  const cycle = new ConnectorCycle({
    settings: o.settings,
    kinds: o.kinds ?? connectorKinds,
    store: o.store,
    outbox: o.outbox,
    feed: o.feed,
    planning,
    fetch: o.fetch ?? fetch,
    log,
    mllp: sendOverMllp,
    page,
    notifyApp: o.messaging ? notifyIn(o.messaging) : undefined,
    schedules: o.feed,
  });
  // A connector catching up on thousands of changes must not hold up pages or the other connectors.
  o.worker.limitPerTarget(50);
  for (const [kind, sender] of cycle.senders) {
    // One channel per kind: its retry is the first connector's of that kind (connectors.yaml says so).
    const retry = o.settings.find((s) => s.kind === kind && s.enabled)?.retry;
    o.worker.register(channelOf(kind), {
      send: (d) => sender.send(d),
      sendMany: sender.sendMany,
      backoff: retry,
      jitter: 0.2,
      onOutcome: (d, outcome) => cycle.outcome(d, outcome),
    });
  }
  // A digest is a mail, not a page: no pager's length limit.
  const gateway = new CarrierGateway(
    () => o.paging.carriers.map((c) => ({ ...c, maxLength: 100_000 })),
    o.fetch,
  );
  o.worker.register(DIGEST_CHANNEL, {
    send: async (d) => {
      const order = d.payload as DigestOrder;
      const entries = await o.store.log(order.connectorId, {
        limit: 500,
        since: new Date(order.from),
        outcomes: ['skipped', 'dead', 'retry'],
      });
      const inInterval = entries.filter((e) => e.at < new Date(order.to));
      if (inInterval.length === 0) return 'nothing to report';
      const { subject, text } = digestText(o.siteName, order, inInterval);
      const to = o.administrators();
      if (to.length === 0) throw new PermanentDeliveryError('no administrator has an email contact');
      const answers: string[] = [];
      for (const address of to) {
        const carrier = carrierFor({ kind: 'email', address }, o.paging);
        if (!carrier) throw new PermanentDeliveryError('no SMTP carrier in paging.carriers for the digest');
        answers.push(
          await gateway.send({
            carrier: carrier.name,
            contactKind: 'email',
            address,
            text: `${subject}\n${text}`,
            messageId: `digest-${d.id}-${address}`,
            personId: '',
            priority: 'normal',
          }),
        );
      }
      return answers.join('; ');
    },
  });
  let refresh: NodeJS.Timeout | undefined;
  return {
    cycle,
    feeds: new IcalFeeds({ settings: o.settings, store: o.store, shifts: o.feed, planning }),
    start() {
      if (o.poll === false) return;
      // While the server is starting and idle: the first job of a kind then finds its sender ready.
      for (const [kind, sender] of cycle.senders) {
        sender
          .start?.()
          .catch((err: Error) => log.warn({ err, kind }, `${kind}: not ready; its first job tries again`));
      }
      // Assignment names change only with a config reload; read them again now and then.
      refresh = setInterval(() => {
        assignments = byId();
      }, 60_000);
      refresh.unref();
      // One lease for the whole cycle, not one per connector: a pass only plans jobs (the outbox workers of
      // every instance share the sending), so there is little to spread, and one renewal per pass beats one
      // per connector.
      if (o.duties) o.duties.every('connector-cycle', o.pollMs ?? 2000, () => cycle.tick());
      else cycle.start(o.pollMs ?? 2000);
    },
    async stop() {
      if (refresh) clearInterval(refresh);
      await cycle.stop();
      gateway.close();
      pager.close();
    },
  };
}
