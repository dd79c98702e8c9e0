import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { frameMllp, MllpDecoder } from '../../src/protocols/hl7/mllp.ts';
import { runLoad } from './load.ts';
import { admissionTemplate, labResultTemplate } from './messages.ts';
import { controlIdOf } from './servers/minimal-ack.ts';

/**
 * An in-process MLLP server whose answer to each message the test decides. It holds ACKs until `hold`
 * of them are ready, then writes them together (in reverse order with `reverse`).
 */
function fakeServer(
  answer: (controlId: string, n: number) => string | null,
  { hold = 1, reverse = false } = {},
): Promise<{ server: Server; port: number }> {
  let n = 0;
  const server = createServer((socket) => {
    const decoder = new MllpDecoder();
    let held: Buffer[] = [];
    socket.on('data', (chunk) => {
      for (const event of decoder.push(chunk)) {
        if (event.kind !== 'frame') continue;
        const text = answer(controlIdOf(event.body) ?? '', n++);
        if (text === null) {
          socket.destroy();
          return;
        }
        held.push(frameMllp(text));
        if (held.length < hold) continue;
        socket.write(Buffer.concat(reverse ? held.reverse() : held));
        held = [];
      }
    });
    socket.on('error', () => {});
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve({ server, port: typeof address === 'object' && address ? address.port : 0 });
    }),
  );
}

const ack = (code: string, id: string) => `MSH|^~\\&|T|T|||||ACK|A1|P|2.5.1\rMSA|${code}|${id}\r`;
const templates = [admissionTemplate({ controlIdPrefix: 'T' }), labResultTemplate({ controlIdPrefix: 'T' })];
let running: Server | undefined;

afterEach(async () => {
  await new Promise<void>((resolve) => (running ? running.close(() => resolve()) : resolve()));
  running = undefined;
});

describe('runLoad', () => {
  it('sends every message once and counts each AA with the right MSA-2', async () => {
    const seen = new Set<string>();
    const { server, port } = await fakeServer((id) => {
      seen.add(id);
      return ack('AA', id);
    });
    running = server;
    const result = await runLoad({ host: '127.0.0.1', port, messages: 300, connections: 4, templates });
    expect(result).toMatchObject({ sent: 300, accepted: 300, errors: 0 });
    expect(result.latencies.count).toBe(300);
    expect(seen.size).toBe(300);
    expect(seen.has('T0000000299')).toBe(true);
  });

  it('keeps several messages in flight per connection with pipeline', async () => {
    // This server answers only once 8 messages are waiting: a stop-and-wait sender would stall on it.
    const { server, port } = await fakeServer((id) => ack('AA', id), { hold: 8 });
    running = server;
    const result = await runLoad({
      host: '127.0.0.1',
      port,
      messages: 40,
      connections: 1,
      pipeline: 8,
      templates,
      stallTimeoutMs: 5000,
    });
    expect(result).toMatchObject({ accepted: 40, errors: 0 });
  });

  it('counts AE and AR answers as errors, not as accepted', async () => {
    const { server, port } = await fakeServer((id, n) => ack(n % 10 === 0 ? 'AE' : 'AA', id));
    running = server;
    const result = await runLoad({ host: '127.0.0.1', port, messages: 100, connections: 1, templates });
    expect(result.accepted).toBe(90);
    expect(result.errors).toBe(10);
    expect(result.errorSamples[0]).toMatch(/^MSA-1 AE for message 0/);
  });

  it('notices ACKs that come back out of order', async () => {
    const { server, port } = await fakeServer((id) => ack('AA', id), { hold: 2, reverse: true });
    running = server;
    const result = await runLoad({
      host: '127.0.0.1',
      port,
      messages: 20,
      connections: 1,
      pipeline: 2,
      templates,
    });
    expect(result.accepted).toBe(20);
    expect(result.errors).toBe(10);
    expect(result.errorSamples).toContain('ACK out of order');
  });

  it('counts messages left unacknowledged or never sent when the server hangs up', async () => {
    const { server, port } = await fakeServer((id, n) => (n < 5 ? ack('AA', id) : null));
    running = server;
    const result = await runLoad({ host: '127.0.0.1', port, messages: 50, connections: 1, templates });
    expect(result.accepted).toBe(5);
    expect(result.errors).toBe(45); // message 5 unacknowledged, 44 never sent
    expect(result.errorSamples.join('\n')).toMatch(/1 messages unacknowledged[\s\S]*44 messages never sent/);
  });

  it('counts an ACK whose MSA-2 names no message in flight', async () => {
    const { server, port } = await fakeServer((id, n) =>
      n === 3 ? ack('AA', 'SOMEONE-ELSE') : ack('AA', id),
    );
    running = server;
    const result = await runLoad({
      host: '127.0.0.1',
      port,
      messages: 10,
      connections: 1,
      templates,
      stallTimeoutMs: 1000,
    });
    expect(result.accepted).toBe(3);
    expect(result.errorSamples[0]).toBe('ACK for a message not in flight: MSA-2 SOMEONE-ELSE');
    expect(result.errorSamples.join('\n')).toMatch(/no ACK for 1000 ms; run abandoned/);
  });
});
