import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CustomFetch } from 'openid-client';
import type { Logger } from 'pino';
import type { RouteAccess } from './api/access.ts';
import { alertRoutes } from './api/alerts.ts';
import { callRoutes } from './api/calls.ts';
import { censusImportRoutes } from './api/census-imports.ts';
import { connectorRoutes, feedRoutes } from './api/connectors.ts';
import { conversationRoutes } from './api/conversations.ts';
import { coverageGapRoutes } from './api/coverage-gaps.ts';
import { deliveryRoutes } from './api/deliveries.ts';
import { deviceRoutes } from './api/device-routes.ts';
import { ehrLaunchRoutes } from './api/ehr-launch.ts';
import { ehrLinkRoutes } from './api/ehr-links.ts';
import { lockoutRoutes } from './api/lockouts.ts';
import { oidcRoutes } from './api/oidc.ts';
import { onCallTimelineRoutes } from './api/operations/oncall-timeline.ts';
import { patientRoutes } from './api/patients.ts';
import { pickerRoutes } from './api/pickers.ts';
import { livePushClients } from './api/push-clients.ts';
import { pushTokenSecret } from './api/push-tokens.ts';
import { ruleRoutes } from './api/rules.ts';
import { samlRoutes } from './api/saml.ts';
import { scheduleChangeRoutes } from './api/schedule-changes.ts';
import { scheduleRoutes } from './api/schedules.ts';
import { scimRoutes } from './api/scim/routes.ts';
import { buildApi } from './api/server.ts';
import { sessionRoutes } from './api/session-routes.ts';
import type { Role } from './api/sessions.ts';
import { accountSignInGuard, PasswordSignIn } from './api/sign-in.ts';
import { singleSignOnGuard } from './api/single-sign-on.ts';
import { sourceRoutes } from './api/sources.ts';
import { clinicianSocket } from './api/ws.ts';
import { Census } from './census/census.ts';
import { CoverageResolver } from './census/coverage-resolver.ts';
import { identityProblems } from './config/identity-checks.ts';
import { createLogger } from './config/logger.ts';
import { passwordHashingOptions } from './config/sign-in-schema.ts';
import { isPushSource, loadSite, recipientChecker, type Site } from './config/site.ts';
import type { AlertRelay } from './delivery/app/alert-relay.ts';
import { ClinicianHub } from './delivery/app/hub.ts';
import type { LookupKind } from './directory/directory.ts';
import { ConfigError } from './kit/config-errors.ts';
import { PasswordHasher } from './kit/passwords.ts';
import { SmtpListener } from './listeners/smtp/server.ts';
import { AlertLocks } from './routing/alert-locks.ts';
import { AlertService } from './routing/alerts.ts';
import { careTeamPeople } from './routing/care-team-people.ts';
import { type Clock, systemClock } from './routing/clock.ts';
import { CoverageGapWarning } from './routing/coverage-gap-warning.ts';
import { dryRun } from './routing/dry-run.ts';
import { EscalationEngine } from './routing/escalation.ts';
import { HospitalModel } from './routing/hospital-model.ts';
import type { MessagingService } from './routing/messaging/messaging-service.ts';
import { NoticePlans, NotificationFanout } from './routing/notifications.ts';
import { RecipientResolver } from './routing/recipient-resolver.ts';
import { Router } from './routing/router.ts';
import { RoutingCycle } from './routing/routing-cycle.ts';
import { RuleSet } from './routing/rules/rule-set.ts';
import { SharedRuleEdits } from './routing/rules/shared-edits.ts';
import { RulesWatcher } from './routing/rules/watcher.ts';
import { EmailPageInterpreter } from './routing/sources/email-page.ts';
import { PcdAlarmInterpreter, pcdProfileOf } from './routing/sources/pcd.ts';
import { VirtualNumbers } from './routing/sources/virtual-numbers.ts';
import { expandRotations } from './schedules/load.ts';
import { OnCallResolver } from './schedules/on-call.ts';
import { applySchedules } from './schedules/sync.ts';
import { claimDataFolder } from './store/owner-lock.ts';
import type { Store } from './store/port.ts';
import { registerChartLibrary } from './web/chart-library.ts';
import { registerConsole } from './web/console-pages.ts';
import { registerPages } from './web/pages.ts';
import { instanceName, startAlertRelay } from './wiring/alert-relay.ts';
import { startCensusImports } from './wiring/census-imports.ts';
import { administratorAddresses, type Connectors, installConnectors } from './wiring/connectors.ts';
import { consoleRoutes, consoleWorkbench, draftDryRun } from './wiring/console.ts';
import { wireDemographicImports } from './wiring/demographic-imports.ts';
import { DutyRoster } from './wiring/duty-roster.ts';
import { runningConnectorKinds } from './wiring/file-exports.ts';
import { samlIdpCert, wireIdentity } from './wiring/identity.ts';
import { knownSendersOf } from './wiring/known-senders.ts';
import { wireMessaging } from './wiring/messaging.ts';
import { MllpDirect } from './wiring/mllp-direct.ts';
import { MllpIngest } from './wiring/mllp-ingest.ts';
import { wireOperations } from './wiring/operations.ts';
import { installOutboundChannels } from './wiring/outbound.ts';
import { holdSendersWhileRoutingBehind } from './wiring/routing-hold.ts';
import { wireSchedulePush } from './wiring/schedule-push.ts';
import { crosswalkLookup, type ScheduleSync, wireScheduleSync } from './wiring/schedule-sync.ts';
import { shareLockouts } from './wiring/shared-lockouts.ts';
import { wireSip } from './wiring/sip.ts';
import { openConfiguredStore } from './wiring/store.ts';
import { type InstalledWctp, wireWctp } from './wiring/wctp.ts';

/** How often an instance of a cluster looks for rule files saved in the console on another instance. */
const RULE_SAVES_EVERY_MS = 2000;

export interface StartOptions {
  configDir: string;
  dataDir: string;
  env?: NodeJS.ProcessEnv;
  log?: Logger;
  /** Behaviour tests pass a ManualClock and drive `routing.tick()` themselves. */
  clock?: Clock;
  /** Run the escalation/batch cycle on a timer. @defaultValue true */
  cycle?: boolean;
  /** Tests read the OpenID Connect provider's answers through this (openid-client customFetch). */
  oidcFetch?: CustomFetch;
}

export interface RunningSwitchboard {
  site: Site;
  config: Site['config'];
  store: Store;
  log: Logger;
  mllp?: { host: string; port: number };
  /** The MLLP listener's thread and journal (health, `ingested()`, failover drills). */
  mllpIngest?: MllpIngest;
  /** The scheduling sources' engine and runner (sources.yaml). */
  scheduleSync?: ScheduleSync;
  smtp?: { host: string; port: number };
  sip?: { host: string; port: number; tlsPort?: number };
  /** The HTTP server, and each of its routes with the access it declared (src/api/access.ts). */
  http?: { host: string; port: number; routes: readonly RouteAccess[] };
  /** /metrics on a port of its own (metrics.port), when configured. */
  metrics?: { host: string; port: number };
  routing: {
    router: Router;
    alerts: AlertService;
    rules: () => RuleSet;
    tick(): Promise<void>;
    hub: ClinicianHub;
    /** Clinicians messaging each other (tests drive its escalation of unread urgent messages). */
    messaging: MessagingService;
  };
  /** The WCTP gateway's parts (pickup boxes for polls, address book), when wctp.enabled. */
  wctp?: InstalledWctp;
  /** Outbound deliveries (pages, PCD-05): tests call `outbound.worker.runDue()` when the cycle is off. */
  outbound: ReturnType<typeof installOutboundChannels>;
  /** Schedule connectors (connectors.yaml): tests call `connectors.cycle.tick()` when the cycle is off. */
  connectors: Connectors;
  /**
   * Resolves once every message acknowledged so far is in the store (MLLP acknowledges from its journal
   * and the row follows a moment later). Tests that read the store right after an ACK wait for this.
   */
  ingested(): Promise<void>;
  stop(): Promise<void>;
}

/** Wires the parts together from a config folder and a data folder, and starts every enabled listener. */
export async function startSwitchboard(options: StartOptions): Promise<RunningSwitchboard> {
  const env = options.env ?? process.env;
  const clock = options.clock ?? systemClock;
  const site = loadSite(options.configDir, env, clock.now());
  const { config } = site;
  const identityIssues = identityProblems(options.configDir, config.identity);
  if (identityIssues.length) throw new ConfigError(identityIssues);
  const log = options.log ?? createLogger(config.log.level);
  const claim = claimDataFolder(resolve(options.dataDir));
  let store: Store;
  try {
    store = await openConfiguredStore(config.store, resolve(options.dataDir), env, log);
  } catch (err) {
    claim.release();
    throw err;
  }
  const stops: Array<() => Promise<void> | void> = [];
  // Set when a stop begins: past it, stopping leaves the rest to the journal and the store (see below).
  let stopDeadline = Number.POSITIVE_INFINITY;
  const stop = async () => {
    stopDeadline = Date.now() + config.listeners.mllp.shutdownGraceSeconds * 1000;
    for (const s of stops.reverse())
      await Promise.resolve(s()).catch((err) => log.error({ err }, 'stop failed'));
    await store.close();
    claim.release();
  };
  const instance = instanceName();
  // The jobs a cluster runs once (schedule pulls, the connector cycle, imports, the LDAP sync, messaging
  // timers), each on the instance that holds its lease; on the embedded store, all on this one.
  const duties = new DutyRoster({
    leases: store.leases,
    instance,
    ttlMs: config.cluster.leaseSeconds * 1000,
    log: log.child({ part: 'duties' }),
  });
  // scrypt on threads of its own, never on the libuv pool the store's fdatasync needs.
  const passwords = new PasswordHasher(passwordHashingOptions(config.http.signIn));
  stops.push(() => passwords.close());

  try {
    const zone = config.site.timezone;
    // Schedules: the store is the one place shifts live; config sources are synced into it at start, and
    // the demo rotation is regenerated every few hours so there is always someone on call "now".
    await applySchedules(store.schedules, site.schedules);
    if (site.schedules.rotations.length) {
      const refresh = setInterval(() => {
        const shifts = expandRotations(site.schedules.rotations, zone, clock.now());
        void store.schedules
          .replaceShifts('demo', shifts)
          .catch((err) => log.error({ err }, 'demo rotation refresh failed'));
      }, 6 * 3600_000);
      refresh.unref();
      stops.push(() => clearInterval(refresh));
    }

    const directory = () => site.directory;
    const nameOf = (id: string) => site.directory.person(id)?.name ?? site.directory.group(id)?.name;
    const census = new Census(store.census, { zone });
    // Replaced when a nurse call system's or a file's staff assignments arrive (censusImports).
    let coverage = new CoverageResolver(site.coverage);
    const oncall = new OnCallResolver(store.schedules);
    const model = new HospitalModel({
      directory,
      coverage: () => coverage,
      oncall,
      census,
      zone,
      assignments: store.schedules,
    });
    const resolver = new RecipientResolver(model);
    // SIP: the dial plan and the MESSAGE interpreter now (the router needs it), the gateway with the listeners.
    const sip = wireSip({
      listener: config.listeners.sip,
      sip: config.sip,
      directory,
      resolver,
      store,
      log,
    });

    const ruleLoadOptions = { timezone: zone, checkRecipient: recipientChecker(site) };
    const rules = existsSync(site.rulesDir)
      ? RulesWatcher.start(site.rulesDir, {
          ...ruleLoadOptions,
          onReloaded: (now) => log.info({ version: now.version, rules: now.rules.length }, 'rules reloaded'),
          onRejected: (problems) => log.warn({ problems }, 'rules edit refused; the running rules stay'),
          onRuleError: (rule, error) =>
            log.warn({ rule: rule.id, error }, 'rule condition failed while running'),
        })
      : undefined;
    if (!rules) log.warn({ dir: site.rulesDir }, 'no rules folder: every message stays unrouted');
    if (rules) stops.push(() => rules.close());
    const currentRules = rules
      ? () => rules.current()
      : (() => {
          const empty = RuleSet.empty(zone);
          return () => empty;
        })();
    // The rules folder as the console edits it, and as a cluster's saves reach it.
    const workbench = consoleWorkbench({
      rulesDir: site.rulesDir,
      loadOptions: ruleLoadOptions,
      rules,
      currentRules,
    });
    if (rules && store.kind === 'postgres') {
      // On a cluster, rule files saved in the console on any instance are written here too (and those
      // saved while this instance was down, before it routes anything).
      const shared = new SharedRuleEdits(store.ruleEdits, workbench, log.child({ part: 'rules' }));
      await shared.start(RULE_SAVES_EVERY_MS);
      stops.push(() => shared.stop());
    }

    const notifier = new NotificationFanout();
    // The durable notices (pages, PCD-05, WCTP status) each alert change causes, written with the change.
    const plans = new NoticePlans(log);
    const locks = new AlertLocks();
    const escalation = new EscalationEngine(store.alerts, resolver, notifier, clock, log, locks, plans);
    const failsafe = config.routing.failsafeGroup
      ? [
          {
            kind: 'group' as const,
            id: config.routing.failsafeGroup,
            at: { file: 'switchboard.yaml', key: 'routing.failsafeGroup' },
          },
        ]
      : [];
    const alerts = new AlertService(store.alerts, escalation, notifier, clock, log, failsafe, locks, plans);
    // Identity: the directory overlay (SCIM, LDAP, imports) swapped into the site, sessions, deactivation.
    const identity = await wireIdentity({
      store,
      site,
      limits: config.identity.sessions,
      oncall,
      raise: (input) => alerts.raise(input),
      failsafe,
      clock,
      log,
      ldap: { config: config.identity.ldap, configDir: options.configDir },
      duties,
    });
    stops.push(() => identity.stop());
    const censusImports = startCensusImports({
      imports: config.censusImports,
      census: store.census,
      configDir: site.configDir,
      findPeople: (kind, value) => {
        if (kind === 'id') return site.directory.person(value) ? [value] : [];
        const person = site.directory.findByExternalId(kind as LookupKind, value);
        return person ? [person.id] : [];
      },
      onStaff: (entries) => {
        coverage = new CoverageResolver({ entries: [...site.coverage.entries, ...entries] });
      },
      now: () => clock.now(),
      log: log.child({ part: 'census-imports' }),
      duties,
    });
    stops.push(() => censusImports.stop());
    const messaging = wireMessaging({
      store,
      model,
      resolver,
      alerts,
      census,
      settings: config.messaging,
      policies: () => currentRules().policies,
      nameOf,
      groupName: (id) => site.directory.group(id)?.name,
      clock,
      log,
      duties,
    });
    stops.push(() => messaging.stop());
    const hub = new ClinicianHub({
      alerts: store.alerts,
      nameOf,
      answer: (id, person, action, choice) => alerts.respond(id, person, action, choice),
      messageReceipt: (person, id, state) => messaging.service.receipt(person, id, state),
      log,
    });
    notifier.add(hub);
    let relay: AlertRelay | undefined;
    if (config.redis.url) {
      // Clinicians connected to other instances hear of what this one routes (Redis pub/sub).
      relay = await startAlertRelay({
        url: config.redis.url,
        channel: config.redis.channel,
        instance,
        local: hub,
        alerts: store.alerts,
        log,
        resend: () => hub.replayAll(),
      });
      notifier.add(relay);
      const started = relay;
      stops.push(() => started.stop());
    }
    messaging.service.deliverThrough(hub);
    // Pagers (WCTP/SMTP/SNPP carriers) and PCD-05 status to alarm reporters, through the store's outbox.
    // The clinician hub above stays a live notification: the app reads its alerts again when it reconnects.
    const outbound = installOutboundChannels({
      outbox: store.outbox,
      paging: config.paging,
      pcdReporters: config.pcd.reporters,
      application: config.site.application,
      facility: config.site.facility,
      contactsOf: (id) => site.directory.contacts(id),
      nameOf,
      titleOf: (id) => site.directory.person(id)?.title,
      isAppConnected: (id) => hub.isConnected(id),
      alerts: store.alerts,
      plans,
      now: () => clock.now(),
      log,
      poll: options.cycle !== false,
    });
    stops.push(() => outbound.stop());
    // Schedule changes out to calendars, CC&C platforms, webhooks and files (connectors.yaml): their senders
    // are registered on the worker here, before it starts, so a job pending from before a restart finds one.
    const connectors = installConnectors({
      settings: site.connectors,
      store: store.connectors,
      outbox: store.outbox,
      feed: store.schedules,
      worker: outbound.worker,
      directory,
      assignments: () => site.schedules.assignments,
      zone,
      siteName: config.site.name,
      administrators: () => administratorAddresses(config.accounts, site.directory),
      paging: config.paging,
      messaging: messaging.service,
      now: () => clock.now(),
      log,
      poll: options.cycle !== false,
      kinds: runningConnectorKinds(store),
      duties,
    });
    stops.push(() => connectors.stop());
    connectors.start();
    const virtualNumbers = new VirtualNumbers(config.paging.virtualNumbers);
    for (const problem of virtualNumbers.problems()) log.warn({ problem }, 'paging.virtualNumbers');
    // WCTP gateway (nurse call, telemetry, paging clients): its interpreter, and status back to the sender.
    const wctp = config.wctp.enabled
      ? wireWctp({
          config: config.wctp,
          site,
          messages: store.messages,
          alertStore: store.alerts,
          pickups: store.pickups,
          durable: () => store.durable(),
          worker: outbound.worker,
          plans,
          clock,
          log,
          audit: store.audit,
          passwords,
        })
      : undefined;
    outbound.start();
    const router = new Router(
      {
        messages: store.messages,
        alerts: store.alerts,
        service: alerts,
        rules: currentRules,
        census: { apply: (m) => census.applyAdt(m) },
        interpreters: [
          new PcdAlarmInterpreter({
            fallbackRole: config.pcd.fallbackRole,
            profileOf: (application, facility) => pcdProfileOf(config.pcd.reporters, application, facility),
          }),
          new EmailPageInterpreter({
            virtualNumbers: () => virtualNumbers,
            isDirectoryPager: (n) => {
              const holders = site.directory.findByPagerNumber(n);
              return holders.people.length + holders.groups.length > 0;
            },
          }),
          ...(wctp ? [wctp.interpreter] : []),
          sip.interpreter,
        ],
        limits: config.routing.limits,
        guard: config.routing.poisonGuard,
        clock,
        log,
        patientTurnMs: config.cluster.leaseSeconds * 4000,
      },
      config.routing.pacing,
    );
    const warnBefore = config.routing.coverageWarningMinutes;
    const coverageWarning =
      warnBefore && failsafe.length
        ? new CoverageGapWarning({
            gaps: (from, to) => oncall.coverageGaps(from, to, (id) => site.directory.isReachable(id)),
            raise: (input) => alerts.raise(input),
            alerts: store.alerts,
            failsafe,
            leadMinutes: warnBefore,
            zone,
            clock,
            log,
          })
        : undefined;
    // Scheduling systems (sources.yaml): pulled on their cadence into the schedule store and its change feed.
    const scheduleSync = await wireScheduleSync({
      site,
      store,
      log,
      clock,
      raise: (input) => alerts.raise(input),
      failsafe,
      paging: () => config.paging,
      run: options.cycle !== false,
      duties,
    });
    stops.push(() => scheduleSync.stop());
    // Contact points from dropped demographic files (demographicImports:), into the directory overlay.
    const demographics = wireDemographicImports({
      site,
      store,
      log,
      now: () => clock.now(),
      findPeople: crosswalkLookup(() => site.directory),
      run: options.cycle !== false,
      duties,
    });
    stops.push(() => demographics.stop());
    if (store.kind === 'postgres' && options.cycle !== false) {
      // What an instance that died had stored and not routed, taken over by the instance on this duty once
      // the dead one has held no lock for a lease (a database restart drops every instance's lock a while).
      const leaseMs = config.cluster.leaseSeconds * 1000;
      duties.every(
        'unrouted-messages',
        leaseMs / 2,
        async () => {
          const adopted = await router.adoptUnrouted(leaseMs);
          if (adopted)
            log.warn({ messages: adopted }, 'routing messages an instance that died left unrouted');
        },
        { atOnce: false },
      );
    }
    const fillDueWords = store.messages.fillDueWords?.bind(store.messages);
    if (fillDueWords) {
      // The search words of messages stored before they had a table of their own, or by an instance of the
      // previous version during a rolling upgrade: written by the instance on this duty, soon after.
      duties.every('message-words', 10_000, async (signal) => {
        const filled = await fillDueWords(signal);
        if (filled) log.info({ messages: filled }, 'search words written for messages stored without them');
      });
    }
    // Every duty is on the roster now: take what leases this instance can (the jobs they hold begin before
    // this returns). Stopped before the jobs' own stops, so the leases are released once their turns end.
    await duties.start();
    stops.push(() => duties.stop());
    const cycle = new RoutingCycle(escalation, router, log, config.routing.cycleMs, coverageWarning);
    if (options.cycle !== false) cycle.start();
    stops.push(() => cycle.stop());
    // After a burst the routing backlog can take minutes; a stop waits for it only until the grace ends.
    // What is not routed by then is stored as received, and router.recover() takes it up at the next start.
    stops.push(async () => {
      if (await finishedBy(router.drained(), stopDeadline)) return;
      log.warn(
        { backlog: router.backlog },
        store.kind === 'postgres'
          ? 'stopping with messages not yet routed; another instance or the next start routes them'
          : 'stopping with messages not yet routed; they are routed at the next start',
      );
      // The store closes next: let what is in flight finish its writes, start nothing more.
      await router.stop();
    });

    const running: RunningSwitchboard = {
      site,
      config,
      store,
      log,
      routing: {
        router,
        alerts,
        rules: currentRules,
        tick: () => cycle.tick(),
        hub,
        messaging: messaging.service,
      },
      wctp,
      outbound,
      connectors,
      ingested: async () => {},
      stop,
    };

    // Metrics, health and the dashboard's figures: before the listeners, which report their traffic to it.
    const operations = wireOperations({
      metrics: config.metrics,
      operations: config.operations,
      store,
      log,
    });
    const health = [];
    const ingested: Array<() => Promise<void>> = [];
    running.ingested = async () => {
      for (const wait of ingested) await wait();
    };
    const knownSenders = config.listeners.mllp.enabled
      ? await knownSendersOf(store.knownSenders, 'mllp', log.child({ listener: 'mllp' }), () => clock.now())
      : undefined;
    if (config.listeners.mllp.enabled && store.kind === 'postgres') {
      // A shared database: each ACK waits for the row's COMMIT, no local journal (DatabaseInbox).
      const mllp = new MllpDirect(config.listeners.mllp, {
        messages: store.messages,
        inbound: router,
        log: log.child({ listener: 'mllp' }),
        application: config.site.application,
        facility: config.site.facility,
        onTraffic: operations.onTraffic('mllp'),
        knownSenders,
      });
      stops.push(() => mllp.stop());
      running.mllp = await mllp.start();
      ingested.push(() => mllp.ingested());
      health.push({ name: 'mllp', health: () => mllp.health() });
      holdSendersWhileRoutingBehind(router, mllp, log.child({ listener: 'mllp' }));
    } else if (config.listeners.mllp.enabled) {
      const mllp = new MllpIngest(config.listeners.mllp, {
        messages: store.messages,
        durable: () => store.durable(),
        inbound: router,
        log: log.child({ listener: 'mllp' }),
        application: config.site.application,
        facility: config.site.facility,
        journalDir: join(resolve(options.dataDir), 'journal'),
        logLevel: log.level,
        onTraffic: operations.onTraffic('mllp'),
        knownSenders,
      });
      stops.push(() => mllp.stop());
      running.mllp = await mllp.start();
      running.mllpIngest = mllp;
      ingested.push(() => mllp.ingested());
      health.push({ name: 'mllp', health: () => mllp.health() });
      holdSendersWhileRoutingBehind(router, mllp, log.child({ listener: 'mllp' }));
    }
    const sipListener = await sip.start(router);
    if (sipListener) {
      running.sip = sipListener.address;
      stops.push(sipListener.stop);
      health.push({ name: 'sip', health: sipListener.health });
    }
    if (config.listeners.smtp.enabled) {
      const smtp = new SmtpListener(config.listeners.smtp, {
        store: store.messages,
        inbound: router,
        log: log.child({ listener: 'smtp' }),
      });
      running.smtp = await smtp.start();
      stops.push(() => smtp.stop());
      health.push({ name: 'smtp', health: () => smtp.health() });
    }
    running.scheduleSync = scheduleSync;
    health.push({ name: 'schedule-sources', health: () => scheduleSync.health() });
    operations.watch({ health, backlog: () => router.backlog, now: () => clock.now() });
    const recovered = await router.recover();
    if (recovered) log.info({ messages: recovered }, 'routing messages stored before the last stop');

    if (config.http.enabled) {
      const sessions = identity.sessions;
      const signInGuard = accountSignInGuard(config.http.signIn, {
        audit: store.audit,
        log,
        now: () => clock.now(),
      });
      // Scheduling systems that push their changes (sources of kind push, pushClients:): OAuth 2.0 client
      // credentials at /oauth/token, each push applied by the sync engine before it is answered.
      const pushSource = (id: string) => isPushSource(site.sources, id);
      const schedulePush = wireSchedulePush({
        clients: livePushClients(
          site.configDir,
          pushSource,
          (problems) => log.warn({ problems }, 'pushClients edit refused; the clients in force stay'),
          site.pushClients,
          () => clock.now().getTime(),
        ),
        secret: pushTokenSecret(resolve(options.dataDir), env),
        verify: (secret, hash) => passwords.verify(secret, hash),
        isPushSource: pushSource,
        apply: (id, pull, actor) => scheduleSync.engine.apply(id, pull, { actor }),
        audit: store.audit,
        log,
        now: () => clock.now(),
      });
      const idConfig = config.identity;
      const ssoGuard = singleSignOnGuard(config.http.signIn, {
        audit: store.audit,
        log,
        now: () => clock.now(),
      });
      const guards = [signInGuard, ssoGuard, ...(wctp ? [wctp.guard] : []), schedulePush.guard];
      const lockouts = shareLockouts(store.signInFailures, guards, log.child({ part: 'sign-in' }), () =>
        clock.now(),
      );
      stops.push(() => lockouts.stop());
      const findPerson = (kind: string, value: string) => {
        const p = site.directory.findByExternalId(kind as LookupKind, value);
        return p ? { id: p.id, name: p.name } : undefined;
      };
      // The analyst console's rules workbench and message browser (src/wiring/console.ts).
      const consoleParts = {
        store,
        router,
        resolver,
        clock,
        currentRules,
        rulesDir: site.rulesDir,
        rules,
        loadOptions: ruleLoadOptions,
      };
      const app = await buildApi({
        store,
        log,
        listeners: health,
        trustedProxies: config.http.trustedProxies,
        cluster: () => ({
          instance,
          redis: relay ? relay.status() : 'not configured',
          leases: { held: duties.held(), standingBy: duties.standingBy() },
        }),
        auth: {
          accounts: () => config.accounts,
          apiTokens: () => config.apiTokens,
          sessions,
          localAccounts: () => config.identity.localAccounts,
          personActive: (id) => !site.directory.isDeactivated(id),
          personName: nameOf,
          signIn: new PasswordSignIn({ guard: signInGuard, verify: (p, h) => passwords.verify(p, h) }),
        },
        plugins: [
          (a) => alertRoutes(a, { alerts: store.alerts, service: alerts, audit: store.audit, nameOf }),
          (a) =>
            scheduleRoutes(a, {
              schedules: store.schedules,
              oncall,
              isReachable: (id) => site.directory.isReachable(id),
              nameOf,
            }),
          (a) =>
            patientRoutes(a, {
              audit: store.audit,
              lookup: async (mrn) => {
                const patient = await census.patient(mrn);
                if (!patient) return undefined;
                return {
                  patient,
                  visit: (await census.activeVisit(mrn)) ?? null,
                  careTeam: await careTeamPeople(census, directory(), mrn),
                };
              },
            }),
          (a) =>
            ruleRoutes(a, {
              summary: () => {
                const set = currentRules();
                return {
                  version: set.version,
                  rules: set.rules,
                  escalationPolicies: [...set.policies.values()],
                };
              },
              reload: async () => {
                if (!rules)
                  return {
                    ok: false,
                    problems: [{ file: site.rulesDir, key: '', message: 'no rules folder' }],
                  };
                const r = rules.reload();
                return r.ok
                  ? { ok: true, problems: [], changed: r.changed, version: r.ruleSet.version }
                  : { ok: false, problems: r.problems };
              },
              dryRun: (raw, listener, at) =>
                dryRun(raw, { rules: currentRules(), resolver, clock, listener, at }),
              dryRunDraft: draftDryRun(consoleParts, workbench),
              stored: async (id, actor) => {
                const m = await store.messages.get(id);
                if (m)
                  await store.audit.record({
                    at: clock.now(),
                    actor,
                    action: 'message.dry-run',
                    subject: `message:${id}`,
                  });
                return m;
              },
            }),
          (a) => consoleRoutes(a, consoleParts, workbench),
          (a) =>
            callRoutes(a, {
              calls: store.sip,
              alerts: store.alerts,
              audit: store.audit,
              gateway: () => sip.gateway,
            }),
          (a) =>
            sourceRoutes(a, {
              engine: scheduleSync.engine,
              runner: scheduleSync.runner,
              sourceStore: store.scheduleSources,
            }),
          (a) => scheduleChangeRoutes(a, { schedules: store.schedules }),
          (a) => schedulePush.routes(a),
          (a) =>
            coverageGapRoutes(a, {
              oncall,
              isReachable: (id) => site.directory.isReachable(id),
              sourceStore: store.scheduleSources,
              now: () => clock.now(),
            }),
          (a) => clinicianSocket(a, hub, nameOf),
          (a) => conversationRoutes(a, { messaging: messaging.service, nameOf }),
          (a) => censusImportRoutes(a, censusImports),
          (a) =>
            ehrLinkRoutes(a, {
              settings: () => config.ehr,
              patient: async (mrn) => {
                const p = await census.patient(mrn);
                if (!p) return undefined;
                const visit = await census.activeVisit(p.mrn);
                // A visit the sender did not number is no encounter the EHR knows.
                const encounter =
                  visit && !visit.visitNumber.startsWith('MRN:') ? visit.visitNumber : undefined;
                return { identifiers: p.identifiers, mrn: p.mrn, encounter };
              },
              ehrUserOf: (id) => site.directory.person(id)?.ids.ehrUser,
              audit: store.audit,
              now: () => clock.now(),
            }),
          (a) =>
            pickerRoutes(a, {
              people: () => site.directory.people(),
              groups: () => site.directory.groups(),
              assignments: () => store.schedules.listAssignments(),
              onCallNow: async (id) =>
                (await oncall.onCall(id, clock.now())).map((e) => ({
                  personId: e.personId,
                  name: nameOf(e.personId) ?? e.personId,
                  callOrder: e.callOrder,
                })),
              findPatients: (text, limit) => store.census.findInHouse(text, limit),
              audit: store.audit,
              now: () => clock.now(),
            }),
          (a) =>
            sessionRoutes(a, {
              audit: store.audit,
              now: () => clock.now(),
              options: () => ({
                local: idConfig.localAccounts,
                oidc: idConfig.oidc.enabled,
                saml: idConfig.saml.enabled,
              }),
            }),
          (a) =>
            oidcRoutes(a, {
              config: idConfig.oidc,
              find: findPerson,
              extraRoles: (id) => identity.overlay.groupsOf(id).flatMap((g) => g.roles as Role[]),
              guard: ssoGuard,
              flows: store.sessions,
              audit: store.audit,
              now: () => clock.now(),
              fetch: options.oidcFetch,
            }),
          (a) =>
            samlRoutes(a, {
              config: idConfig.saml,
              idpCert: idConfig.saml.enabled
                ? samlIdpCert(idConfig.saml.idpCert, options.configDir)
                : undefined,
              find: findPerson,
              extraRoles: (id) => identity.overlay.groupsOf(id).flatMap((g) => g.roles as Role[]),
              guard: ssoGuard,
              used: store.sessions,
              flows: store.sessions,
              audit: store.audit,
              now: () => clock.now(),
            }),
          (a) =>
            deviceRoutes(a, {
              devices: store.devices,
              person: (id) => {
                const p = site.directory.findByExternalId('id', id);
                return p ? { id: p.id, name: p.name } : undefined;
              },
              audit: store.audit,
              now: () => clock.now(),
            }),
          (a) =>
            scimRoutes(a, {
              config: () => idConfig.scim,
              store: store.directory,
              findByUpn: (upn) => site.directory.findByExternalId('upn', upn)?.id,
              nameOf,
              changed: async () => {
                await identity.overlay.refresh();
              },
              deactivated: identity.deactivated,
              audit: store.audit,
              now: () => clock.now(),
            }),
          (a) => wctp?.routes(a, router),
          (a) =>
            lockoutRoutes(a, {
              guards,
              audit: store.audit,
              now: () => clock.now(),
            }),
          (a) => deliveryRoutes(a, { outbox: outbound.outbox }),
          (a) =>
            connectorRoutes(a, {
              settings: site.connectors,
              store: store.connectors,
              outbox: store.outbox,
              resync: (id) => connectors.cycle.resync(id),
              now: () => clock.now(),
            }),
          (a) =>
            feedRoutes(a, {
              settings: site.connectors,
              store: store.connectors,
              feeds: connectors.feeds,
              now: () => clock.now(),
            }),
          (a) =>
            ehrLaunchRoutes(a, {
              settings: () => config.ehr.launch,
              sessionStore: store.sessions,
              personByEhrUser: (user) => {
                const p = site.directory.findByExternalId('ehrUser', user);
                return p ? { id: p.id, name: p.name } : undefined;
              },
              now: () => clock.now(),
            }),
          (a) => registerPages(a, undefined, { frameAncestors: config.ehr.launch.frameAncestors }),
          (a) => operations.routes(a),
          (a) => registerChartLibrary(a),
          (a) =>
            onCallTimelineRoutes(a, {
              schedules: store.schedules,
              oncall,
              isReachable: (id) => site.directory.isReachable(id),
              nameOf,
              now: () => clock.now(),
            }),
          (a) => registerConsole(a),
        ],
      });
      await app.listen({ host: config.http.host, port: config.http.port });
      const addr = app.server.address();
      running.http = {
        host: config.http.host,
        port: typeof addr === 'object' && addr ? addr.port : config.http.port,
        routes: app.routeAccess,
      };
      stops.push(() => app.close());
      log.info({ host: running.http.host, port: running.http.port }, 'HTTP ready');
    }
    running.metrics = await operations.start();
    // Stopped first (stops run in reverse): load balancers see not-ready while the rest drains.
    stops.push(() => operations.stop());
    operations.started();
    return running;
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Whether `work` settled before `deadline` (epoch ms); a timer that outlives it holds nothing up. */
async function finishedBy(work: Promise<unknown>, deadline: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([work.then(() => true as const), late]);
  } finally {
    clearTimeout(timer);
  }
}
