/**
 * Wiring of the WCTP gateway: the routing tables, the address book, the interpreter the router runs for
 * stored WCTP messages, the status reporter that plans a notice for every alert change it cares about, the
 * sender of those notices (push, or the store's pickup boxes), the sign-in guard and the POST /wctp route.
 * The listener (src/listeners/wctp/) keeps the HTTP route and the gateway that parses and answers WCTP.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { recipientChecker, type Site } from '../config/site.ts';
import type { SwitchboardConfig } from '../config/types.ts';
import type { DeliveryWorker } from '../delivery/outbox/worker.ts';
import { type WctpPost, WctpStatusSender } from '../delivery/wctp/status-sender.ts';
import { type PasswordHasher, sharedPasswordHasher } from '../kit/passwords.ts';
import { describeLockout, lockoutSubject, SignInGuard } from '../kit/sign-in-guard.ts';
import { readYamlDir, YamlFile } from '../kit/yaml-files.ts';
import { WctpGateway } from '../listeners/wctp/gateway.ts';
import { wctpRoutes } from '../listeners/wctp/http.ts';
import { WctpPickups } from '../listeners/wctp/pickups.ts';
import { WctpSenders } from '../listeners/wctp/senders.ts';
import type { Clock } from '../routing/clock.ts';
import type { InboundPort } from '../routing/inbound-port.ts';
import type { NoticePlans } from '../routing/notifications.ts';
import { WctpAddressBook } from '../routing/sources/wctp/address-book.ts';
import { type WctpBackChannel, wctpNotice } from '../routing/sources/wctp/back-channel.ts';
import { WctpInterpreter } from '../routing/sources/wctp/interpreter.ts';
import { compileRoutingTable } from '../routing/sources/wctp/routing-table.ts';
import { WctpStatusReporter } from '../routing/sources/wctp/status-reporter.ts';
import type { AlertStore } from '../store/alert-port.ts';
import type { PickupStore } from '../store/outbox-port.ts';
import type { AuditLog, MessageStore } from '../store/port.ts';

export interface WctpInstallDeps {
  config: SwitchboardConfig['wctp'];
  site: Pick<Site, 'configDir' | 'directory' | 'schedules'>;
  messages: MessageStore;
  alertStore: AlertStore;
  pickups: PickupStore;
  /** Puts every write so far on the disk (the store's durable()), before a poll's answer. */
  durable: () => Promise<void>;
  /** The outbox worker that sends the 'wctp-status' rows. */
  worker: DeliveryWorker;
  /** Where the status reporter is registered (the alert service's NoticePlans). */
  plans: NoticePlans;
  clock: Clock;
  log: Logger;
  /** Where every lockout of a sender or address is recorded. */
  audit: AuditLog;
  /** Checks hashed security codes off the event loop (the process's shared hasher if not given). */
  passwords?: Pick<PasswordHasher, 'verify'>;
  /** Tests replace the network of the push back channel. */
  post?: WctpPost;
}

export interface InstalledWctp {
  interpreter: WctpInterpreter;
  /** The store's pickup boxes as the gateway reads them (polls, ClientQuery). */
  pickups: WctpPickups;
  addressBook: WctpAddressBook;
  /** Locks out guessed security codes, per senderID ('wctp-sender') and address ('wctp-address'). */
  guard: SignInGuard;
  /** Registers POST /wctp; `inbound` is the router that takes stored messages. */
  routes(app: FastifyInstance, inbound: InboundPort): Promise<void>;
}

export function wireWctp(deps: WctpInstallDeps): InstalledWctp {
  const { config, site, log } = deps;
  const file =
    readYamlDir(site.configDir).find((f) => {
      const v = f.value as Record<string, unknown> | null;
      return v !== null && typeof v === 'object' && 'wctp' in v;
    }) ?? new YamlFile('switchboard.yaml', '');
  const table = compileRoutingTable(config, file, recipientChecker(site));
  const assignments = new Set(site.schedules.assignments.map((a) => a.id));
  const addressBook = new WctpAddressBook(
    () => table,
    () => site.directory,
    (id) => assignments.has(id),
  );
  // Sends the 'wctp-status' rows: it registers itself with the outbox worker as that channel's sender.
  new WctpStatusSender({
    gatewayId: config.gatewayId,
    push: config.push,
    maxQueuedPerSender: config.maxQueuedPerSender,
    worker: deps.worker,
    pickups: deps.pickups,
    alerts: deps.alertStore,
    post: deps.post,
    now: () => deps.clock.now(),
    log: log.child({ listener: 'wctp' }),
  });
  deps.plans.add(new WctpStatusReporter());
  // A notice no alert change causes (the interpreter's refusal after the gateway confirmed): a row of its own.
  const backChannel: WctpBackChannel = {
    send(origin, response, about) {
      const notice = { origin, response, ...(about.personId ? { personId: about.personId } : {}) };
      void deps.worker
        .enqueue(wctpNotice(notice, about.alertId || null))
        .catch((err) => log.error({ err }, 'WCTP notice not queued'));
    },
  };
  const interpreter = new WctpInterpreter(addressBook, () => table, backChannel);
  const pickups = new WctpPickups(deps.pickups);
  const passwords = deps.passwords ?? sharedPasswordHasher();
  const guard = new SignInGuard({
    subjectKind: 'wctp-sender',
    addressKind: 'wctp-address',
    subject: config.signIn.sender,
    address: config.signIn.address,
    now: () => deps.clock.now().getTime(),
    onLockout: async (lock) => {
      log.warn({ listener: 'wctp', kind: lock.kind, key: lock.key, until: lock.until }, 'WCTP lockout');
      // The lock holds even if the audit row cannot be written (a full disk); the log says so.
      await deps.audit
        .record({
          at: deps.clock.now(),
          actor: 'system',
          action: 'wctp.lockout',
          subject: lockoutSubject(lock),
          detail: describeLockout(lock),
        })
        .catch((err) => log.error({ err, kind: lock.kind, key: lock.key }, 'WCTP lockout not audited'));
    },
  });
  const senders = new WctpSenders(config.senders, (code, hash) => passwords.verify(code, hash), guard);
  return {
    interpreter,
    pickups,
    addressBook,
    guard,
    routes: (app, inbound) =>
      wctpRoutes(
        app,
        new WctpGateway({
          options: config,
          senders,
          knowsRecipient: (id) => addressBook.lookup(id) !== undefined,
          store: deps.messages,
          inbound,
          outbox: pickups,
          durable: deps.durable,
          now: () => deps.clock.now(),
          log: log.child({ listener: 'wctp' }),
        }),
        { maxBodyBytes: config.maxBodyBytes },
      ),
  };
}
