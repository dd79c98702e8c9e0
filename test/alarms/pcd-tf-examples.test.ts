import { afterEach, describe, expect, it } from 'vitest';
import { alarmHospital, device, eventually, field, reports, send, tfExample } from './pcd-harness.ts';

/**
 * Every PCD-04 example of IHE DEV TF-2 Rev. 10.0 Appendix E.3 (test/alarms/fixtures/ihe-dev-tf2, with its
 * source), sent by a reporter over the real MLLP listener. None of the examples is at a bed someone covers,
 * so the site failsafe (operators: p-op) is who hears them. Each PCD-05 sent back is checked here field by
 * field and, for the rest of the TF's rules, by the validator the harness runs over every PCD-05.
 */

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const MINDRAY = 'e3-1-mindray-spo2-low-start.hl7';
const BBRAUN_START = 'e3-2-bbraun-occlusion-start.hl7';
const BBRAUN_END = 'e3-2-bbraun-occlusion-end.hl7';
const LIVEDATA = 'e3-2-livedata-advisory-start.hl7';

describe('IHE DEV TF-2 Appendix E.3 examples through the MLLP listener', () => {
  it('E.3.1 Mindray low SpO2 start raises one alert; its MSH-16 NE means no PCD-05', async () => {
    const h = await alarmHospital(cleanups, { reporters: [{ application: 'MINDRAY_EGATEWAY' }] });
    const op = await device(h.sb, 'op', cleanups);
    await send(h.sb, tfExample(MINDRAY));
    const seen = await op.waitForAlert();
    const [alert] = await h.sb.store.alerts.list({});
    expect(await h.sb.store.alerts.list({})).toHaveLength(1);
    expect(alert!.id).toBe(seen.id);
    expect(alert!.source).toBe('ihe-pcd');
    expect(alert!.title).toBe('Low SpO2 — PULS OXIM SAT O2 88 MDC_DIM_PERCENT');
    expect(alert!.priority).toBe('high'); // PM in OBX-8
    expect(alert!.patient).toMatchObject({ mrn: 'HO2009001', name: 'Hon, Albert' });
    expect(alert!.body).toContain('limits 90-96');
    expect(alert!.context.pcd).toMatchObject({
      identity: '1^MINDRAY_EGATEWAY^00A037EB2175780F^EUI64',
      controlId: '1',
      applicationAckType: 'NE',
      reporter: { applicationId: 'MINDRAY_EGATEWAY^00A037EB2175780F^EUI-64', facilityId: 'MINDRAY' },
    });
    await eventually(
      async () => (await h.sb.store.alerts.recipients(alert!.id)).find((r) => r.state === 'delivered'),
      'delivered',
    );
    await h.sb.outbound.worker.runDue();
    expect(await h.sb.outbound.outbox.list({ channel: 'pcd-status' })).toHaveLength(0);
  });

  it('E.3.1 with when: always: PCD-05 DELIVERED is what the TF prescribes, field by field', async () => {
    const h = await alarmHospital(cleanups, {
      reporters: [{ application: 'MINDRAY_EGATEWAY', when: 'always' }],
    });
    await device(h.sb, 'op', cleanups);
    await send(h.sb, tfExample(MINDRAY));
    const [m] = await reports(h, 1);
    expect(field(m!, 'MSH', 3)).toBe('SWITCHBOARD');
    expect(field(m!, 'MSH', 5)).toBe('MINDRAY_EGATEWAY^00A037EB2175780F^EUI-64');
    expect(field(m!, 'MSH', 6)).toBe('MINDRAY');
    expect(field(m!, 'MSH', 7)).toBe('20261122143000+0000');
    expect(field(m!, 'MSH', 9)).toBe('ORA^R41^ORA_R41');
    expect(field(m!, 'MSH', 12)).toBe('2.6');
    expect(field(m!, 'MSH', 15)).toBe('AL');
    expect(field(m!, 'MSH', 16)).toBe('NE');
    expect(field(m!, 'MSH', 21)).toBe('IHE_PCD_005^IHE PCD^1.3.6.1.4.1.19376.1.6.1.5.1^ISO');
    expect(field(m!, 'MSA', 1)).toBe('AA');
    expect(field(m!, 'MSA', 2)).toBe('1');
    expect(field(m!, 'OBR', 3)).toBe(`${field(m!, 'MSH', 10)}^SWITCHBOARD`);
    expect(field(m!, 'OBR', 4)).toBe('196616^MDC_EVT_ALARM^MDC');
    // The onset OBR-3 transcribed: its components as sub-components, its EUI64 spelling kept.
    expect(field(m!, 'OBR', 29)).toBe('^1&MINDRAY_EGATEWAY&00A037EB2175780F&EUI64');
    expect(field(m!, 'PRT', 2)).toBe('AD');
    expect(field(m!, 'PRT', 3)).toBe('RESPONSE^DELIVERED^IHE_PCD_ACM');
    expect(field(m!, 'PRT', 4)).toBe('AAP^Alert Acknowledging Provider^HL70912');
    expect(field(m!, 'PRT', 5)).toBe('p-op^Operator');
    expect(field(m!, 'PRT', 11)).toBe('20261122143000+0000');
    expect(m!.split('\r').map((s) => s.slice(0, 3))).toEqual(['MSH', 'MSA', 'PID', 'PV1', 'OBR', 'PRT', '']);
    // The onset's patient and place, as the reporter sent them.
    expect(m!.split('\r')[2]).toBe('PID|||HO2009001^^^Hospital^PI||Hon^Albert^^^^^L||18991230|M');
    expect(m!.split('\r')[3]).toBe('PV1||I|HO Surgery^OR^1');
  });

  it('E.3.2 B. Braun occlusion start then end: the end (own OBR-3, the alert in OBR-29.2) closes it; CANCELLED', async () => {
    const h = await alarmHospital(cleanups, {
      reporters: [{ application: 'PAT_DEVICE_BBRAUN', when: 'always' }],
    });
    const op = await device(h.sb, 'op', cleanups);
    await send(h.sb, tfExample(BBRAUN_START));
    const seen = await op.waitForAlert();
    expect(seen.title).toBe('Occlusion');
    const [delivered] = await reports(h, 1);
    expect(field(delivered!, 'PRT', 3)).toBe('RESPONSE^DELIVERED^IHE_PCD_ACM');

    await send(h.sb, tfExample(BBRAUN_END));
    const alerts = await h.sb.store.alerts.list({});
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.status).toBe('closed');
    const [, end] = (await h.sb.store.messages.list({})).items
      .sort((a, b) => a.id - b.id)
      .map((m) => `${m.controlId} ${m.statusDetail}`);
    expect(end).toBe(`6346172846620706282 alert ${alerts[0]!.id} closed (end)`);
    expect((await op.waitFor((f) => f.type === 'removed')).alertId).toBe(seen.id);

    // Closed by its source before anyone answered: CANCELLED, about the onset (MSA-2, OBR-29.2).
    const [, cancelled] = await reports(h, 2);
    expect(field(cancelled!, 'PRT', 3)).toBe('RESPONSE^CANCELLED^IHE_PCD_ACM');
    expect(field(cancelled!, 'MSA', 2)).toBe('6346172845752460251');
    expect(field(cancelled!, 'OBR', 29)).toBe('^E0001_27&PAT_DEVICE_BBRAUN&0012211839000001&EUI-64');
    expect(field(cancelled!, 'MSH', 5)).toBe('PAT_DEVICE_BBRAUN^0012211839000001^EUI-64');
    expect(field(cancelled!, 'MSH', 6)).toBe('BBRAUN');
  });

  it('E.3.2 B. Braun under the default (MSH-16 NE): the alert still closes, and no PCD-05 is sent', async () => {
    const h = await alarmHospital(cleanups, { reporters: [{ application: 'PAT_DEVICE_BBRAUN' }] });
    await device(h.sb, 'op', cleanups);
    await send(h.sb, tfExample(BBRAUN_START), tfExample(BBRAUN_END));
    const alerts = await h.sb.store.alerts.list({});
    expect(alerts.map((a) => a.status)).toEqual(['closed']);
    await h.sb.outbound.worker.runDue();
    expect(await h.sb.outbound.outbox.list({ channel: 'pcd-status' })).toHaveLength(0);
  });

  it('E.3.2 LiveData advisory: no accept ACK asked (MSH-15 NE), PCD-05 asked (MSH-16 AL): DELIVERED, ACCEPTED', async () => {
    const h = await alarmHospital(cleanups, { reporters: [{ application: 'CONTENT_CONSUMER_LIVEDATA' }] });
    const op = await device(h.sb, 'op', cleanups);
    await send(h.sb, tfExample(LIVEDATA));
    const seen = await op.waitForAlert();
    const [alert] = await h.sb.store.alerts.list({});
    expect(alert!.title).toBe('Timeout not documented');
    expect(alert!.priority).toBe('high'); // SA~PM
    expect(alert!.body).toMatch(/^Advisory at HO 3 West ICU/);
    await op.answer('accept', seen.id);
    const [delivered, accepted] = await reports(h, 2);
    for (const m of [delivered!, accepted!]) {
      // MSH-10 is echoed exactly, its leading space too.
      expect(field(m, 'MSA', 2)).toBe(' 1233532926265-02');
      expect(field(m, 'OBR', 29)).toBe('^12345-2&LIVEDATA');
      expect(field(m, 'MSH', 5)).toBe('CONTENT_CONSUMER_LIVEDATA');
      expect(field(m, 'MSH', 6)).toBe('LIVEDATA');
    }
    expect(field(delivered!, 'PRT', 3)).toBe('RESPONSE^DELIVERED^IHE_PCD_ACM');
    expect(field(accepted!, 'PRT', 3)).toBe('RESPONSE^ACCEPTED^IHE_PCD_ACM');
    expect(field(accepted!, 'PRT', 5)).toBe('p-op^Operator');
    expect((await h.sb.store.alerts.get(alert!.id))?.status).toBe('acknowledged');
  });
});
