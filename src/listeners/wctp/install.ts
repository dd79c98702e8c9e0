/**
 * Wiring of the WCTP gateway, kept out of main.ts: the routing tables, the address book, the interpreter
 * the router runs for stored WCTP messages, the status reporter that hears every alert change, the
 * outbox (push / poll / client query) and the POST /wctp route.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { recipientChecker, type Site } from '../../config/site.ts';
import type { SwitchboardConfig } from '../../config/types.ts';
import { readYamlDir, YamlFile } from '../../config/yaml-files.ts';
import { type PasswordHasher, sharedPasswordHasher } from '../../kit/passwords.ts';
import { describeLockout, lockoutSubject, SignInGuard } from '../../kit/sign-in-guard.ts';
import type { AlertService } from '../../routing/alerts.ts';
import type { Clock } from '../../routing/clock.ts';
import type { InboundPort } from '../../routing/inbound-port.ts';
import { WctpAddressBook } from '../../routing/sources/wctp/address-book.ts';
import { WctpInterpreter } from '../../routing/sources/wctp/interpreter.ts';
import { compileRoutingTable } from '../../routing/sources/wctp/routing-table.ts';
import { WctpStatusReporter } from '../../routing/sources/wctp/status-reporter.ts';
import type { AlertStore } from '../../store/alert-port.ts';
import type { AuditLog, MessageStore } from '../../store/port.ts';
import { WctpGateway } from './gateway.ts';
import { wctpRoutes } from './http.ts';
import { httpPost, realTimers, type Timers, WctpOutbox, type WctpPost } from './outbox.ts';
import { WctpSenders } from './senders.ts';

export interface WctpInstallDeps {
  config: SwitchboardConfig['wctp'];
  site: Pick<Site, 'configDir' | 'directory' | 'schedules'>;
  messages: MessageStore;
  alertStore: AlertStore;
  alerts: AlertService;
  clock: Clock;
  log: Logger;
  /** Where every lockout of a sender or address is recorded. */
  audit: AuditLog;
  /** Checks hashed security codes off the event loop (the process's shared hasher if not given). */
  passwords?: Pick<PasswordHasher, 'verify'>;
  /** Tests replace the network and the timers of the push back channel. */
  post?: WctpPost;
  timers?: Timers;
}

export interface InstalledWctp {
  interpreter: WctpInterpreter;
  outbox: WctpOutbox;
  addressBook: WctpAddressBook;
  /** Locks out guessed security codes, per senderID ('wctp-sender') and address ('wctp-address'). */
  guard: SignInGuard;
  /** Registers POST /wctp; `inbound` is the router that takes stored messages. */
  routes(app: FastifyInstance, inbound: InboundPort): Promise<void>;
  stop(): void;
}

export function installWctp(deps: WctpInstallDeps): InstalledWctp {
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
  const outbox = new WctpOutbox({
    gatewayId: config.gatewayId,
    push: config.push,
    maxQueuedPerSender: config.maxQueuedPerSender,
    post: deps.post ?? httpPost,
    timers: deps.timers ?? realTimers,
    now: () => deps.clock.now(),
    record: (alertId, kind, personId, detail) =>
      alertId
        ? deps.alertStore.addEvent({
            alertId,
            at: deps.clock.now(),
            kind,
            personId: personId ?? null,
            detail,
          })
        : Promise.resolve(),
    log: log.child({ listener: 'wctp' }),
  });
  deps.alerts.observe(new WctpStatusReporter(outbox));
  const interpreter = new WctpInterpreter(addressBook, () => table, outbox);
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
    outbox,
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
          outbox,
          now: () => deps.clock.now(),
          log: log.child({ listener: 'wctp' }),
        }),
        { maxBodyBytes: config.maxBodyBytes },
      ),
    stop: () => outbox.stop(),
  };
}
