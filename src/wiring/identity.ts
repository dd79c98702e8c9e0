/**
 * Identity wired together: the directory overlay swapped into the site as it changes, server-side
 * sessions, and what a deactivation does (SCIM `active: false`, an LDAP entry gone or disabled):
 *
 * 1. the merged directory is rebuilt: the person is found by no lookup and reachable at no contact point,
 *    so no further alert goes to them;
 * 2. every session of theirs ends and their open pages close (4401);
 * 3. the shared devices they hold are released;
 * 4. their coming shifts (the next 14 days) that now have nobody reachable are reported: in the audit,
 *    the log, and to the failsafe group as an alert when the site has one.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { Logger } from 'pino';
import { SessionKeeper } from '../api/sessions.ts';
import type { LdapConfig } from '../config/identity-schema.ts';
import type { Directory } from '../directory/directory.ts';
import { describePlan, type LdapOptions, LdapSync } from '../directory/ldap-sync.ts';
import { DirectoryOverlay } from '../directory/overlay.ts';
import type { RaiseAlert } from '../routing/alerts.ts';
import type { Clock } from '../routing/clock.ts';
import type { RecipientSpec } from '../routing/rules/types.ts';
import type { OnCallResolver } from '../schedules/on-call.ts';
import type { Store } from '../store/port.ts';
import type { DutyRoster } from './duty-roster.ts';

const GAP_HORIZON_MS = 14 * 24 * 3600_000;

export interface Identity {
  overlay: DirectoryOverlay;
  sessions: SessionKeeper;
  /** The LDAP sync, when identity.ldap is enabled (run on its schedule; `run()` for a run now). */
  ldap?: LdapSync;
  deactivated(personId: string, source: string): Promise<void>;
  stop(): void;
}

export async function wireIdentity(deps: {
  store: Store;
  site: { directory: Directory };
  limits: { idleMinutes: number; absoluteHours: number };
  oncall: OnCallResolver;
  raise: (input: RaiseAlert) => Promise<unknown>;
  failsafe: readonly RecipientSpec[];
  clock: Clock;
  log: Logger;
  /** identity.ldap, with the config folder its caFile is relative to. */
  ldap?: { config: LdapConfig; configDir: string };
  /**
   * The instance's roster of cluster duties: the LDAP sync is one (`ldap-sync`), so a cluster runs it
   * from one instance. Absent, this instance runs it.
   */
  duties?: DutyRoster;
}): Promise<Identity> {
  const { store, site, clock, log } = deps;
  // The config file's directory: the overlay is laid over it, never over its own earlier result.
  const fromConfig = site.directory;
  const overlay = new DirectoryOverlay({
    store: store.directory,
    base: () => fromConfig,
    onChange: (merged) => {
      site.directory = merged;
    },
    log,
  });
  await overlay.refresh();
  overlay.start();
  const sessions = new SessionKeeper({ store: store.sessions, limits: deps.limits, now: () => clock.now() });
  // Ended sessions are marked so an admin's list shows why; a live check never depends on it.
  const sweep = setInterval(() => {
    void store.sessions.sweep(clock.now()).catch((err) => log.error({ err }, 'session sweep failed'));
  }, 60_000);
  sweep.unref();

  const deactivated = async (personId: string, source: string) => {
    await overlay.refresh();
    const ended = await sessions.endPerson(personId, 'deactivated');
    const devices = await store.devices.devicesOf(personId);
    for (const d of devices) await store.devices.release(d.device);
    const uncovered = await gapsLeftBy(personId);
    const name = site.directory.person(personId)?.name ?? personId;
    const shifts = uncovered.map((g) => `${g.assignment} ${g.start.toISOString()}–${g.end.toISOString()}`);
    await store.audit.record({
      at: clock.now(),
      actor: source,
      action: 'directory.deactivate',
      subject: `person:${personId}`,
      detail: `${ended.length} session(s) ended, ${devices.length} device(s) released; ${
        shifts.length
          ? `uncovered in the next 14 days: ${shifts.join('; ')}`
          : 'no coming shift left uncovered'
      }`,
    });
    if (!uncovered.length) return;
    log.warn(
      { person: personId, gaps: uncovered.length },
      'deactivated person leaves coming shifts uncovered',
    );
    if (!deps.failsafe.length) return;
    const list = uncovered.map((g) => `${g.assignment} from ${g.start.toISOString()}`).join('; ');
    await deps.raise({
      messageId: null,
      source: 'coverage',
      ruleId: 'deactivation-gap',
      title: `${name} was deactivated: ${uncovered.length} coming shift(s) have nobody on call`,
      body: `${name} was deactivated by ${source}. Nobody reachable is on call for: ${list}. Find cover.`,
      priority: 'high',
      recipients: deps.failsafe,
      dedupKey: `deactivated:${personId}:${clock.now().toISOString()}`,
      context: { person: personId, source },
      reasons: [`${name} deactivated by ${source}; their shifts are now coverage gaps`],
    });
  };

  /** The gaps, in the person's coming shifts, that nobody reachable covers now that they are gone. */
  const gapsLeftBy = async (personId: string) => {
    const from = clock.now();
    const to = new Date(from.getTime() + GAP_HORIZON_MS);
    const theirs = (await store.schedules.shiftsOverlapping(from, to)).filter((s) => s.personId === personId);
    const out: Array<{ assignment: string; start: Date; end: Date }> = [];
    for (const assignmentId of new Set(theirs.map((s) => s.assignmentId))) {
      const gaps = await deps.oncall.coverageGaps(
        from,
        to,
        (id) => site.directory.isReachable(id),
        assignmentId,
      );
      for (const g of gaps)
        for (const gap of g.gaps)
          if (theirs.some((s) => s.assignmentId === assignmentId && s.start < gap.end && s.end > gap.start))
            out.push({ assignment: g.assignment.name, start: gap.start, end: gap.end });
    }
    return out;
  };

  let ldapTimer: NodeJS.Timeout | undefined;
  const ldap = deps.ldap?.config.enabled
    ? new LdapSync({
        options: ldapOptions(deps.ldap.config, deps.ldap.configDir),
        store: store.directory,
        directory: () => site.directory,
        deactivated,
        changed: async () => {
          await overlay.refresh();
        },
        now: () => clock.now(),
      })
    : undefined;
  if (ldap && deps.ldap) {
    // Off the start path: a directory server that is down must not hold the router up.
    const runLdap = () =>
      ldap.run().then(
        (plan) => {
          const level = plan.refused ? 'warn' : 'info';
          log[level]({ plan: describePlan(plan) }, plan.refused ? 'LDAP sync refused' : 'LDAP sync done');
        },
        (err) => log.error({ err }, 'LDAP sync failed'),
      );
    const everyMs = deps.ldap.config.everyMinutes * 60_000;
    if (deps.duties) deps.duties.every('ldap-sync', everyMs, runLdap);
    else {
      void runLdap();
      ldapTimer = setInterval(() => void runLdap(), everyMs);
      ldapTimer.unref();
    }
  }

  return {
    overlay,
    sessions,
    ldap,
    deactivated,
    stop() {
      overlay.stop();
      clearInterval(sweep);
      clearInterval(ldapTimer);
    },
  };
}

/** The LDAP options the sync takes: the pinned CA read from its file (relative to the config folder). */
export function ldapOptions(config: LdapConfig, configDir: string): LdapOptions {
  const { caFile, ...rest } = config;
  const ca = caFile ? readFileSync(isAbsolute(caFile) ? caFile : join(configDir, caFile), 'utf8') : undefined;
  return { ...rest, ca };
}

/** The SAML IdP's signing certificate: identity.saml.idpCert as PEM text, or a file relative to the config. */
export function samlIdpCert(idpCert: string | undefined, configDir: string): string | undefined {
  if (!idpCert) return undefined;
  if (idpCert.includes('BEGIN CERTIFICATE')) return idpCert;
  return readFileSync(isAbsolute(idpCert) ? idpCert : join(configDir, idpCert), 'utf8');
}
