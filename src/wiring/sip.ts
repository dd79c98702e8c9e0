/**
 * The SIP side of Switchboard put together, called from main.ts: the dial plan and the SIP MESSAGE
 * interpreter are made before the router (which needs the interpreter); the gateway (the B2BUA in
 * src/calls) on the SIP network edge (src/listeners/sip) is started with the other listeners.
 */
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { compileDialPlan, DialPlan } from '../calls/dial-plan.ts';
import { SipGateway } from '../calls/gateway.ts';
import type { SipConfig, SipListenerConfig } from '../calls/sip-config.ts';
import type { Directory } from '../directory/directory.ts';
import { SipEndpoint, type SipEndpointOptions } from '../listeners/sip/endpoint.ts';
import { MessageIntake } from '../listeners/sip/message-intake.ts';
import { nodeTimers } from '../listeners/sip/transport-routing.ts';
import { parseUri, type Uri } from '../protocols/sip/uri.ts';
import type { InboundPort } from '../routing/inbound-port.ts';
import type { RecipientResolver } from '../routing/recipient-resolver.ts';
import { SipMessageInterpreter } from '../routing/sources/sip/message.ts';
import type { Store } from '../store/port.ts';

export interface SipWiringOptions {
  listener: SipListenerConfig;
  sip: SipConfig;
  directory: () => Directory;
  resolver: RecipientResolver;
  store: Store;
  log: Logger;
}

export function wireSip(options: SipWiringOptions) {
  const { listener, sip, directory, store, log } = options;
  for (const [i, a] of sip.accounts.entries()) {
    if (!directory().person(a.person))
      throw new Error(`sip.accounts.${i}.person: no person ${a.person} in the directory`);
  }
  // The dial plan may only name people and groups that exist (assignments are checked when resolved).
  for (const [i, e] of sip.dialPlan.entries()) {
    for (const r of e.recipients) {
      if (r.person && !directory().person(r.person))
        throw new Error(`sip.dialPlan.${i} (${e.id}): no person ${r.person} in the directory`);
      if (r.group && !directory().group(r.group))
        throw new Error(`sip.dialPlan.${i} (${e.id}): no group ${r.group} in the directory`);
    }
  }
  const dialPlan = new DialPlan(compileDialPlan(sip.dialPlan, sip.noAnswerSeconds), options.resolver);
  const interpreter = new SipMessageInterpreter(dialPlan);
  let gateway: SipGateway | undefined;

  const staticDevices = (personId: string): Uri[] =>
    directory()
      .contacts(personId, 'sip')
      .flatMap((c) => {
        try {
          return [parseUri(c.address)];
        } catch {
          return [];
        }
      });

  return {
    dialPlan,
    interpreter,
    get gateway() {
      return gateway;
    },
    /** Starts the gateway when `listeners.sip.enabled`; returns its health source and stop. */
    async start(inbound: InboundPort) {
      if (!listener.enabled) return undefined;
      const sipLog = log.child({ listener: 'sip' });
      const messages = new MessageIntake(store.messages, inbound, Date.now, (err) =>
        sipLog.error({ err }, 'SIP MESSAGE could not be stored'),
      );
      const network = new SipEndpoint({
        host: listener.host,
        port: listener.port,
        udp: listener.udp,
        tcp: listener.tcp,
        tls: sipTls(listener.tls),
        publicHost: listener.publicHost,
        t1Ms: listener.t1Ms,
        timers: nodeTimers,
        onRequest: (request, tx, source) => g.receive(request, tx, source),
        onError: (err) => sipLog.warn({ err }, 'SIP transport error'),
      });
      const g = new SipGateway({
        listener,
        sip,
        store: store.sip,
        network,
        messages,
        calls: dialPlan,
        staticDevices,
        log: sipLog,
        timers: nodeTimers,
      });
      gateway = g;
      const address = await g.start();
      return { address, health: () => g.health(), stop: () => g.stop() };
    },
  };
}

/** Reads the certificate files of `listeners.sip.tls`; a missing file stops the start with its key named. */
function sipTls(tls: SipListenerConfig['tls']): SipEndpointOptions['tls'] {
  if (!tls.enabled) return undefined;
  const read = (key: 'certFile' | 'keyFile' | 'caFile'): Buffer => {
    const file = tls[key];
    if (!file) throw new Error(`listeners.sip.tls.${key} is required when listeners.sip.tls.enabled is true`);
    try {
      return readFileSync(file);
    } catch (err) {
      throw new Error(`listeners.sip.tls.${key}: cannot read ${file}: ${(err as Error).message}`);
    }
  };
  return {
    port: tls.port,
    key: read('keyFile'),
    cert: read('certFile'),
    ca: tls.caFile ? read('caFile') : undefined,
    requireClientCertificate: tls.requireClientCert,
    verifyServers: tls.verifyServers,
  };
}
