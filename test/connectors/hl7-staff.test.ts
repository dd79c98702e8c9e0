import { afterEach, describe, expect, it } from 'vitest';
import type { StaffHl7Options } from '../../src/connectors/hl7-staff/index.ts';
import { Hl7Message } from '../../src/protocols/hl7/index.ts';
import { CccListener } from '../support/ccc-listener.ts';
import {
  type ConnectorHospital,
  connectorHospital,
  connectorSettings,
  H,
  shift,
} from '../support/connectors.ts';

const T0 = Date.parse('2026-12-07T12:00:00Z');

describe('staff assignment over HL7 (Vocera/Stryker style)', () => {
  let h: ConnectorHospital;
  let ccc: CccListener;
  afterEach(async () => {
    await h?.close();
    ccc?.close();
  });

  async function start() {
    ccc = await CccListener.start();
    h = await connectorHospital(
      [
        connectorSettings<StaffHl7Options>({
          id: 'vocera',
          kind: 'hl7-staff',
          target: ccc.address,
          personId: 'ccc',
          assignments: new Map([['hospitalist', ['HOSP-ONCALL@4W']]]),
          options: {
            messageType: 'ADT^A08^ADT_A01',
            sendingApplication: 'SWITCHBOARD',
            sendingFacility: 'RGH',
            receivingApplication: 'VOCERA',
            receivingFacility: 'RGH',
            ackTimeoutMs: 5000,
          },
        }),
      ],
      { start: new Date(T0) },
    );
  }

  it('an ADT^A08 with ROL per change; a person replaced is released (DE) in the message that adds the next', async () => {
    await start();
    await h.publish([shift('s1', 'p-ahmed', T0), shift('s2', 'p-brennan', T0 + 12 * H)]);
    await h.run();
    expect(ccc.received).toHaveLength(2);
    const m = Hl7Message.parse(Buffer.from(ccc.received[0]));
    expect(m.get('MSH-9')).toBe('ADT^A08^ADT_A01');
    expect(m.get('PV1-3')).toBe('4W');
    expect(m.get('ROL-2')).toBe('AD');
    expect(m.get('ROL-3')).toBe('HOSP-ONCALL^Hospitalist on call');
    expect(m.get('ROL-4')).toBe('U-AHMED^Ahmed^Samira');
    expect(m.get('ROL-5')).toBe('20261207120000+0000');
    expect([...ccc.holds]).toEqual([
      ['s1/HOSP-ONCALL', 'U-AHMED'],
      ['s2/HOSP-ONCALL', 'U-BRENNAN'],
    ]);

    await h.publish([shift('s1', 'p-castro', T0), shift('s2', 'p-brennan', T0 + 12 * H)]);
    await h.run();
    const swap = ccc.received[2].split('\r').filter((s) => s.startsWith('ROL'));
    expect(swap.map((s) => s.split('|').slice(1, 5).join('|'))).toEqual([
      's1|DE|HOSP-ONCALL^Hospitalist on call|U-AHMED^Ahmed^Samira',
      's1|UP|HOSP-ONCALL^Hospitalist on call|U-CASTRO^Castro^Lucia',
    ]);
    await h.publish([shift('s2', 'p-brennan', T0 + 12 * H)]);
    await h.run();
    expect([...ccc.holds]).toEqual([['s2/HOSP-ONCALL', 'U-BRENNAN']]);
  });

  it('AE is retried with its ERR text; AR is dead at once with its ERR text', async () => {
    await start();
    ccc.answer = { code: 'AE', error: 'assignment store busy' };
    await h.publish([shift('s1', 'p-ahmed', T0)]);
    await h.run();
    const [pending] = await h.store.outbox.list({ state: 'pending', channel: 'connector:hl7-staff' });
    expect(pending.lastError).toBe('AE assignment store busy');
    ccc.answer = { code: 'AR', error: 'unknown role HOSP-ONCALL' };
    h.clock.now = new Date(T0 + 60_000);
    await h.worker.runDue();
    const [dead] = await h.store.outbox.list({ state: 'dead', channel: 'connector:hl7-staff' });
    expect(dead.lastError).toBe('AR unknown role HOSP-ONCALL');
    ccc.answer = { code: 'AA' };
    await h.store.connectors.redrive('vocera', 'all', h.clock.now);
    await h.worker.runDue();
    expect([...ccc.holds]).toEqual([['s1/HOSP-ONCALL', 'U-AHMED']]);
  });
});
