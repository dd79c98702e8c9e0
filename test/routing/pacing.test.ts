import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frameMllp } from '../../src/protocols/hl7/mllp.ts';
import { startTestSwitchboard, type TestSwitchboard, writeTestConfig } from '../support/harness.ts';
import { RawMllpPeer } from '../support/mllp-socket.ts';

/**
 * Ingest goes first during a burst: routing runs one message at a time and, past the held-bytes limit,
 * reads each message back from the store. Pacing that tight must still route everything, in order per
 * patient.
 */
const pacing = `routing:
  pacing:
    burstPerSecond: 1
    burstPerTurn: 1
    maxQueuedBytesHeld: 5
`;

const adt = (event: string, controlId: string, mrn: string, unit: string, room: string) =>
  [
    `MSH|^~\\&|EPICADT|RGH|SWITCHBOARD|RGH|20260115083000||ADT^${event}^ADT_${event}|${controlId}|P|2.5.1`,
    `EVN|${event}|20260115083000`,
    `PID|1||${mrn}^^^RGH^MR||DOE^JANE||19700101|F`,
    `PV1|1|I|${unit}^${room}^A^RGH|||||||MED||||||||IP|V${mrn}`,
    '',
  ].join('\r');

let sb: TestSwitchboard;
beforeAll(async () => {
  sb = await startTestSwitchboard({ configDir: writeTestConfig({}, pacing) });
});
afterAll(() => sb.cleanup());

describe('routing paced behind ingest', () => {
  it('routes a pipelined burst completely, each patient in order, with bytes read back from the store', async () => {
    const peer = await RawMllpPeer.open(sb.mllpPort);
    const patients = 40;
    const frames: Buffer[] = [];
    for (let p = 0; p < patients; p++)
      frames.push(frameMllp(adt('A01', `ADM-${p}`, `PACE${p}`, '4W', '401')));
    // Then each patient moves to the ICU: the transfer must be applied after the admission.
    for (let p = 0; p < patients; p++) frames.push(frameMllp(adt('A02', `TRF-${p}`, `PACE${p}`, 'ICU', '7')));
    peer.write(Buffer.concat(frames));
    const acks = await peer.waitForAcks(frames.length);
    expect(acks.every((a) => a.includes('MSA|AA|'))).toBe(true);
    peer.close();

    await sb.settled();
    expect(sb.routing.router.backlog).toBe(0);
    const stillWaiting = await sb.store.messages.list({ status: 'received', limit: 1000 });
    expect(stillWaiting.total).toBe(0);
    for (let p = 0; p < patients; p++) {
      const visit = await sb.store.census.activeVisit(`PACE${p}`);
      expect(visit?.location).toMatchObject({ unit: 'ICU', room: '7' });
      expect(visit?.priorLocation).toMatchObject({ unit: '4W', room: '401' });
    }
  });
});
