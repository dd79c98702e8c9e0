import { afterEach, describe, expect, it } from 'vitest';
import { PermanentDeliveryError } from '../outbox/worker.ts';
import { type CarrierConfig, CarrierGateway, carrierFor, type PageOrder } from './carriers.ts';
import { TestSmtpServer, TestSnppServer, TestWctpCarrier } from './test-carriers.ts';

const closers: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

function carrier(partial: Partial<CarrierConfig> & Pick<CarrierConfig, 'name' | 'kind'>): CarrierConfig {
  return { secure: false, maxLength: 240, timeoutMs: 3000, ...partial };
}

function order(partial: Partial<PageOrder> = {}): PageOrder {
  return {
    carrier: 'c',
    contactKind: 'pager',
    address: '617-555-0101',
    text: '[URGENT] Critical potassium 7.1\n4W 401-A: call back 4401 #12',
    messageId: 'sb-12-abc',
    personId: 'p-ahmed',
    priority: 'urgent',
    ...partial,
  };
}

function gatewayFor(...carriers: CarrierConfig[]) {
  const g = new CarrierGateway(() => carriers);
  closers.push(() => g.close());
  return g;
}

async function wctpCarrier() {
  const wctp = await TestWctpCarrier.start();
  closers.push(() => wctp.close());
  const g = gatewayFor(
    carrier({ name: 'c', kind: 'wctp', url: wctp.url, senderId: 'switchboard', securityCode: 's3cret' }),
  );
  return { wctp, g };
}

describe('WCTP carrier', () => {
  it('sends a SubmitRequest with our credentials and reads the Confirmation', async () => {
    const { wctp, g } = await wctpCarrier();
    expect(await g.send(order())).toMatch(/^WCTP 200 .*\(queued for delivery\)$/);
    expect(wctp.pages).toHaveLength(1);
    const page = wctp.pages[0];
    expect(page.originator).toMatchObject({ senderID: 'switchboard', securityCode: 's3cret' });
    expect(page.recipient.recipientID).toBe('617-555-0101');
    expect(page.messageControl.messageID).toBe('sb-12-abc');
    expect(page.messageControl.deliveryPriority).toBe('HIGH');
    expect(page.payload).toEqual({ kind: 'alphanumeric', text: order().text });
  });

  it('gives up at once on a refusal (4xx WCTP code) and retries a carrier fault (6xx, HTTP 5xx)', async () => {
    const { wctp, g } = await wctpCarrier();
    wctp.failWith = 403;
    await expect(g.send(order())).rejects.toBeInstanceOf(PermanentDeliveryError);
    wctp.failWith = 604;
    const fault = await g.send(order()).catch((e: Error) => e);
    expect(fault).toBeInstanceOf(Error);
    expect(fault).not.toBeInstanceOf(PermanentDeliveryError);
    expect((fault as Error).message).toContain('604');
    wctp.failWith = 'http:503';
    const down = await g.send(order()).catch((e: Error) => e);
    expect(down).not.toBeInstanceOf(PermanentDeliveryError);
    expect((down as Error).message).toContain('HTTP 503');
  });

  it('reports an unreachable carrier as worth retrying', async () => {
    const { wctp, g } = await wctpCarrier();
    await wctp.close();
    const err = await g.send(order()).catch((e: Error) => e);
    expect(err).not.toBeInstanceOf(PermanentDeliveryError);
    expect((err as Error).message).toContain('unreachable');
  });

  it('cuts a page to the carrier maximum length', async () => {
    const wctp = await TestWctpCarrier.start();
    closers.push(() => wctp.close());
    const g = gatewayFor(carrier({ name: 'c', kind: 'wctp', url: wctp.url, senderId: 'sb', maxLength: 20 }));
    await g.send(order());
    const payload = wctp.pages[0].payload;
    expect(payload.kind === 'alphanumeric' && payload.text).toBe('[URGENT] Critical p…');
  });
});

describe('SMTP email-to-pager', () => {
  it('mails <digits>@<carrier domain> with the headline as subject', async () => {
    const smtp = await TestSmtpServer.start();
    closers.push(() => smtp.close());
    const g = gatewayFor(
      carrier({
        name: 'c',
        kind: 'smtp',
        host: '127.0.0.1',
        port: smtp.port,
        domain: 'pager.carrier.example',
        from: 'switchboard@riverside.example',
      }),
    );
    expect(await g.send(order())).toMatch(/^SMTP 250/);
    expect(smtp.mails).toHaveLength(1);
    expect(smtp.mails[0].to).toEqual(['6175550101@pager.carrier.example']);
    expect(smtp.mails[0].from).toBe('switchboard@riverside.example');
    expect(smtp.mails[0].raw).toContain('Subject: [URGENT] Critical potassium 7.1');
    expect(smtp.mails[0].raw).toContain('4W 401-A: call back 4401 #12');
  });

  it('sends to an email contact as it is, and treats a 550 as final', async () => {
    const smtp = await TestSmtpServer.start();
    closers.push(() => smtp.close());
    const g = gatewayFor(carrier({ name: 'c', kind: 'smtp', host: '127.0.0.1', port: smtp.port }));
    await g.send(order({ contactKind: 'email', address: 'dr.ahmed@riverside.example' }));
    expect(smtp.mails[0].to).toEqual(['dr.ahmed@riverside.example']);
    smtp.refuse = true;
    await expect(
      g.send(order({ contactKind: 'email', address: 'x@riverside.example' })),
    ).rejects.toBeInstanceOf(PermanentDeliveryError);
  });
});

describe('SNPP (RFC 1861)', () => {
  it('pages with PAGE, MESS, SEND, QUIT on one line', async () => {
    const snpp = await TestSnppServer.start();
    closers.push(() => snpp.close());
    const g = gatewayFor(carrier({ name: 'c', kind: 'snpp', host: '127.0.0.1', port: snpp.port }));
    expect(await g.send(order())).toBe('SNPP 250 Message Sent Successfully');
    expect(snpp.pages).toEqual([
      { pager: '6175550101', message: '[URGENT] Critical potassium 7.1 4W 401-A: call back 4401 #12' },
    ]);
    expect(snpp.transcript.map((l) => l.split(' ')[0])).toEqual(['PAGE', 'MESS', 'SEND', 'QUIT']);
  });

  it('treats an invalid pager id (550) as final and a closed port as retryable', async () => {
    const snpp = await TestSnppServer.start();
    closers.push(() => snpp.close());
    snpp.badPager = '6175550101';
    const g = gatewayFor(carrier({ name: 'c', kind: 'snpp', host: '127.0.0.1', port: snpp.port }));
    await expect(g.send(order())).rejects.toBeInstanceOf(PermanentDeliveryError);
    const port = snpp.port;
    await snpp.close();
    const g2 = gatewayFor(carrier({ name: 'c', kind: 'snpp', host: '127.0.0.1', port }));
    const err = await g2.send(order()).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(PermanentDeliveryError);
  });
});

describe('carrierFor', () => {
  const table = {
    carriers: [
      carrier({ name: 'metro', kind: 'wctp' }),
      carrier({ name: 'mail', kind: 'smtp' }),
      carrier({ name: 'old', kind: 'snpp' }),
    ],
    numbers: [
      { prefix: '617', carrier: 'metro' },
      { prefix: '6175550', carrier: 'old' },
    ],
    defaultCarrier: 'metro',
  };
  it('takes the contact carrier, else the longest prefix, else the default', () => {
    expect(carrierFor({ kind: 'pager', address: '617-555-0101', carrier: 'mail' }, table)?.name).toBe('mail');
    expect(carrierFor({ kind: 'pager', address: '(617) 555-0101' }, table)?.name).toBe('old');
    expect(carrierFor({ kind: 'pager', address: '617-555-1101' }, table)?.name).toBe('metro');
    expect(carrierFor({ kind: 'pager', address: '212-555-0101' }, table)?.name).toBe('metro');
    expect(carrierFor({ kind: 'email', address: 'a@b.example' }, table)?.name).toBe('mail');
    expect(carrierFor({ kind: 'pager', address: '1', carrier: 'nope' }, table)).toBeUndefined();
  });
});
