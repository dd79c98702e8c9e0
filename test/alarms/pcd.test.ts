import { afterEach, describe, expect, it } from 'vitest';
import { pcd04 } from '../../src/routing/sources/pcd-fixtures.ts';
import { alarmHospital, device as connectDevice, eventually, field, reports, send } from './pcd-harness.ts';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const device = (sb: Parameters<typeof connectDevice>[0], username: string) =>
  connectDevice(sb, username, cleanups);

describe('IHE PCD alarms (PCD-04 in, PCD-05 out)', () => {
  it('start raises one alert for the covering nurse, update changes it, end closes it; PCD-05 goes back', async () => {
    const h = await alarmHospital(cleanups);
    const { sb, reporter } = h;
    const nurse = await device(sb, 'rn.day');

    await send(
      sb,
      pcd04({ controlId: 'P1', alertId: 'SPO2-9', phase: 'start', priority: 'PM', value: '87' }),
    );
    const raised = await nurse.waitForAlert();
    expect(raised.title).toBe('Lo — PULS OXIM SAT O2 87 MDC_DIM_PERCENT');
    expect(raised.priority).toBe('high');
    const [alert] = await sb.store.alerts.list({});
    expect(alert.source).toBe('ihe-pcd');
    expect(alert.patient).toMatchObject({ mrn: 'MRN4411', where: '4W 401-A' });
    const timeline = await sb.store.alerts.timeline(alert.id);
    expect(timeline.find((e) => e.kind === 'routed')?.detail).toContain('no rule routes this alarm');

    // The device said "delivered": PCD-05 Delivered goes back to the reporter over MLLP.
    await eventually(
      async () => (await sb.outbound.outbox.list({ channel: 'pcd-status' })).length > 0,
      'PCD-05 queued',
    );
    await sb.outbound.worker.runDue();
    const [delivered] = await reporter.waitFor(1);
    expect(field(delivered, 'MSH', 9)).toBe('ORA^R41^ORA_R41');
    expect(field(delivered, 'MSH', 5)).toBe('MONITOR_GW^0012210000000001^EUI-64');
    expect(field(delivered, 'MSH', 6)).toBe('CENTRAL');
    expect(field(delivered, 'MSA', 2)).toBe('P1');
    expect(field(delivered, 'OBR', 29)).toBe('^SPO2-9&MONITOR_GW&0012210000000001&EUI-64');
    expect(field(delivered, 'PRT', 3)).toBe('RESPONSE^DELIVERED^IHE_PCD_ACM');
    expect(field(delivered, 'PRT', 5)).toBe('rn-day^Nurse^Day');

    // A keep-going `continue` with nothing new changes nothing and rings nobody again.
    const framesBefore = nurse.frames.length;
    await send(
      sb,
      pcd04({ controlId: 'P1b', alertId: 'SPO2-9', phase: 'continue', priority: 'PM', value: '87' }),
    );
    expect((await sb.store.messages.list({ controlId: 'P1b' })).items[0].statusDetail).toBe(
      `alert ${alert.id} unchanged (continue)`,
    );
    expect(nurse.frames.length).toBe(framesBefore);

    // Escalated to PH with a lower reading: the same alert, updated.
    await send(
      sb,
      pcd04({ controlId: 'P2', alertId: 'SPO2-9', phase: 'escalate', priority: 'PH', value: '81' }),
    );
    const updated = await nurse.waitForAlert((a) => a.title.includes(' 81 '));
    expect(updated.id).toBe(raised.id);
    expect(updated.priority).toBe('urgent');
    expect(await sb.store.alerts.list({})).toHaveLength(1);

    await nurse.answer('accept', raised.id);
    await eventually(
      async () => (await sb.outbound.outbox.list({ channel: 'pcd-status', state: 'pending' })).length > 0,
      'PCD-05 Accepted queued',
    );
    await sb.outbound.worker.runDue();
    const all = await reporter.waitFor(2);
    expect(field(all[1], 'PRT', 3)).toBe('RESPONSE^ACCEPTED^IHE_PCD_ACM');
    // MSA-2 names the onset PCD-04 (P1), never the escalate (P2) that came between.
    expect(field(all[1], 'MSA', 2)).toBe('P1');

    await send(sb, pcd04({ controlId: 'P3', alertId: 'SPO2-9', phase: 'end', state: 'inactive' }));
    // Closed by its source: the alert leaves the clinician's list.
    const removed = await nurse.waitFor((f) => f.type === 'removed');
    expect(removed.alertId).toBe(raised.id);
    expect((await sb.store.alerts.get(alert.id))?.status).toBe('closed');
    const kinds = (await sb.store.alerts.timeline(alert.id)).map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['updated', 'accepted', 'closed', 'reported']));
    const statuses = (await sb.store.messages.list({})).items.map((m) => `${m.controlId} ${m.statusDetail}`);
    expect(statuses).toEqual(
      expect.arrayContaining([
        `P1 alert ${alert.id}`,
        `P2 alert ${alert.id} updated (escalate)`,
        `P3 alert ${alert.id} closed (end)`,
      ]),
    );
  });

  it('routes by the analysts rules, and ignores watchdogs', async () => {
    const { sb } = await alarmHospital(cleanups, {
      rules: `rules:
  - id: pcd-urgent-to-supervisor
    match: { type: ORU, trigger: R40, fields: [ { path: OBX-8, equals: PH } ] }
    recipients: [ { onCall: supervisor } ]
    priority: high
    title: "alarm"
`,
    });
    await send(
      sb,
      pcd04({
        controlId: 'W1',
        alertId: 'WD',
        phase: 'start',
        event: '0^MDC_EVT_WATCHDOG^MDC',
        priority: 'PN',
      }),
      pcd04({ controlId: 'R1', alertId: 'HR-1', phase: 'start', priority: 'PH' }),
    );
    const alerts = await sb.store.alerts.list({});
    expect(alerts).toHaveLength(1);
    expect(alerts[0].ruleId).toBe('pcd-urgent-to-supervisor');
    expect(alerts[0].priority).toBe('urgent'); // the alarm's own priority, not the rule's
    expect((await sb.store.alerts.recipients(alerts[0].id)).map((r) => r.personId)).toEqual(['p-sup']);
    const watchdog = (await sb.store.messages.list({ controlId: 'W1' })).items[0];
    expect(watchdog.status).toBe('filtered');
  });

  it('a reporter that refuses PCD-05 leaves a dead letter and a failed entry on the timeline', async () => {
    const { sb, reporter } = await alarmHospital(cleanups);
    reporter.ackCode = 'AR';
    const nurse = await device(sb, 'rn.day');
    await send(sb, pcd04({ controlId: 'X1', alertId: 'X', phase: 'start' }));
    const alert = await nurse.waitForAlert();
    await eventually(
      async () => (await sb.outbound.outbox.list({ channel: 'pcd-status' })).length > 0,
      'queued',
    );
    await sb.outbound.worker.runDue();
    const [dead] = await sb.outbound.outbox.list({ state: 'dead' });
    expect(dead.lastError).toContain('answered AR');
    const failed = (await sb.store.alerts.timeline(alert.id)).find((e) => e.kind === 'failed');
    expect(failed?.detail).toContain('PCD-05 DELIVERED (rn-day) to MONITOR_GW gave up after 1 attempt(s)');
  });

  it('by default a PCD-04 that said MSH-16 NE gets no PCD-05', async () => {
    const { sb } = await alarmHospital(cleanups);
    const nurse = await device(sb, 'rn.day');
    await send(sb, pcd04({ controlId: 'N1', alertId: 'N', phase: 'start', applicationAck: 'NE' }));
    const alert = await nurse.waitForAlert();
    await eventually(
      async () => (await sb.store.alerts.recipients(alert.id)).find((r) => r.state === 'delivered'),
      'delivered',
    );
    expect(await sb.outbound.outbox.list({})).toHaveLength(0);
  });

  it('an older-revision reporter (profile: legacy) gets the older shape, MSA-2 still the onset', async () => {
    const h = await alarmHospital(cleanups, {
      reporters: [{ application: 'MONITOR_GW', profile: 'legacy' }],
    });
    const nurse = await device(h.sb, 'rn.day');
    await send(h.sb, pcd04({ controlId: 'L1', alertId: 'HR-7', phase: 'start', priority: 'PM' }));
    const alert = await nurse.waitForAlert();
    await send(h.sb, pcd04({ controlId: 'L2', alertId: 'HR-7', phase: 'escalate', priority: 'PH' }));
    expect(await h.sb.store.alerts.list({})).toHaveLength(1);
    await nurse.answer('accept', alert.id);
    const [delivered, accepted] = await reports(h, 2);
    for (const m of [delivered!, accepted!]) {
      expect(field(m, 'MSA', 2)).toBe('L1');
      expect(field(m, 'OBR', 3)).toBe('HR-7^MONITOR_GW^0012210000000001^EUI-64');
      expect(field(m, 'MSH', 21)).toBe('IHE_PCD_ACM_001^IHE PCD^1.3.6.1.4.1.19376.1.6.4.4^ISO');
    }
    expect(field(delivered!, 'PRT', 3)).toBe('Delivered');
    expect(field(accepted!, 'PRT', 3)).toBe('Accepted');
    expect(field(accepted!, 'OBX', 5)).toBe('Accepted');
  });
});
