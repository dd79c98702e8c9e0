/**
 * Wiring of the SIP gateway, called from main.ts: the dial plan (routing core) and the SIP MESSAGE
 * interpreter are made before the router, the gateway itself is started with the other listeners.
 */
import type { Logger } from 'pino';
import type { SipConfig, SipListenerConfig } from '../../config/sip-schema.ts';
import type { Directory } from '../../directory/directory.ts';
import { parseUri, type Uri } from '../../protocols/sip/uri.ts';
import { compileDialPlan, DialPlan } from '../../routing/calls/dial-plan.ts';
import type { InboundPort } from '../../routing/inbound-port.ts';
import type { RecipientResolver } from '../../routing/recipient-resolver.ts';
import { SipMessageInterpreter } from '../../routing/sources/sip/message.ts';
import type { Store } from '../../store/port.ts';
import { SipGateway } from './gateway.ts';

export interface SipInstallOptions {
  listener: SipListenerConfig;
  sip: SipConfig;
  directory: () => Directory;
  resolver: RecipientResolver;
  store: Store;
  log: Logger;
}

export function installSip(options: SipInstallOptions) {
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
      gateway = new SipGateway({
        listener,
        sip,
        messages: store.messages,
        store: store.sip,
        inbound,
        calls: dialPlan,
        staticDevices,
        log: log.child({ listener: 'sip' }),
      });
      const address = await gateway.start();
      const g = gateway;
      return { address, health: () => g.health(), stop: () => g.stop() };
    },
  };
}
