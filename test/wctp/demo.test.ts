/**
 * The README's "Nurse call over WCTP" with the demo hospital in config/: a bathroom call from 4 West
 * bed 401-A reaches the nurse covering that bed (rn-alvarez on the day shift), with the call-back station.
 */
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseWctp } from '../../src/protocols/wctp/index.ts';
import { ManualClock } from '../../src/routing/clock.ts';
import { FakeDevice } from '../support/device.ts';
import { signIn, startTestSwitchboard, type TestSwitchboard } from '../support/harness.ts';
import { postWctp } from './wctp-hospital.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
let sb: TestSwitchboard | undefined;
afterAll(() => sb?.cleanup());

describe('demo nurse call (config/wctp.yaml)', () => {
  it('4W-401-A-bath from the demo nurse-call system reaches rn.alvarez, the day nurse of 401-A', async () => {
    const configDir = mkdtempSync(join(tmpdir(), 'sb-wctp-demo-'));
    cpSync(join(REPO, 'config'), configDir, { recursive: true });
    sb = await startTestSwitchboard({
      configDir,
      clock: new ManualClock('2026-11-22T15:00:00Z'), // 10:00 in New York: day shift
      cycle: false,
      env: {
        SWITCHBOARD_LISTENERS_MLLP_PORT: '0',
        SWITCHBOARD_LISTENERS_MLLP_HOST: '127.0.0.1',
        SWITCHBOARD_HTTP_PORT: '0',
        SWITCHBOARD_HTTP_HOST: '127.0.0.1',
        SWITCHBOARD_LOG_LEVEL: 'silent',
      },
    });
    const nurse = await FakeDevice.connect(
      sb.httpUrl,
      await signIn(sb.httpUrl, 'rn.alvarez', 'demo'),
      'rn.alvarez',
    );
    try {
      const res = await postWctp(
        sb.httpUrl,
        `<?xml version="1.0"?>
<wctp-Operation wctpVersion="wctp-dtd-v1r3"><wctp-SubmitRequest><wctp-SubmitHeader>
<wctp-Originator senderID="nursecall.4w" securityCode="demo-nurse-call"/>
<wctp-MessageControl messageID="DEMO-1" deliveryPriority="NORMAL"/>
<wctp-Recipient recipientID="4W-401-A-bath"/></wctp-SubmitHeader>
<wctp-Payload><wctp-Alphanumeric>Rm 401 Bed A: bathroom call</wctp-Alphanumeric></wctp-Payload>
</wctp-SubmitRequest></wctp-Operation>`,
      );
      expect(parseWctp(res.text)).toMatchObject({
        operation: 'Confirmation',
        result: { kind: 'success', code: 200 },
      });
      const alert = await nurse.waitForAlert((a) => a.title === 'Rm 401 Bed A: bathroom call');
      expect(alert).toMatchObject({ priority: 'high', recipients: [{ personId: 'rn-alvarez' }] });
      expect((alert as unknown as { callback: string }).callback).toBe('4401');
    } finally {
      nurse.close();
    }
  });
});
