/**
 * kill -9 in the middle of a Graph $batch: Graph has applied the batch (the events exist) but the process
 * dies before it reads the answer, so neither the 'sent' marks nor its record of the events are on the
 * disk. After a restart on the same data folder, every shift has exactly one event: none lost, none
 * doubled (the resent jobs find their events by our shift id).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FakeGraph } from '../support/fake-graph.ts';

const childScript = new URL('./crash-child.ts', import.meta.url).pathname;
const children = new Set<ChildProcess>();
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
});

function run(args: string[]): { child: ChildProcess; done: Promise<'done' | number | null> } {
  const child = fork(childScript, args, { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  children.add(child);
  const done = new Promise<'done' | number | null>((resolve) => {
    child.once('message', () => resolve('done'));
    child.once('exit', (code) => {
      children.delete(child);
      resolve(code);
    });
  });
  return { child, done };
}

describe('Graph connector, kill -9 mid-batch', () => {
  it.each([
    ['transactionId and the shift-id lookup', true],
    ['the shift-id lookup alone', false],
  ])(
    'loses no event and doubles none (%s)',
    async (_what, honourTransactionId) => {
      const graph = await new FakeGraph().listen();
      graph.honourTransactionId = honourTransactionId;
      const dir = mkdtempSync(join(tmpdir(), 'sb-connector-crash-'));
      try {
        const first = run([dir, graph.baseUrl, graph.tokenUrl, '1']);
        let killed = false;
        graph.beforeBatchAnswer = async (requests) => {
          if (killed || !requests.some((r) => r.method === 'POST')) return;
          killed = true;
          const exited = new Promise((r) => first.child.once('exit', r));
          first.child.kill('SIGKILL');
          await exited;
        };
        expect(await first.done).toBeNull();
        expect(killed).toBe(true);
        const createdBeforeCrash = graph.events.size;
        expect(createdBeforeCrash).toBeGreaterThan(0);
        expect(createdBeforeCrash).toBeLessThan(30);

        graph.beforeBatchAnswer = undefined;
        const second = run([dir, graph.baseUrl, graph.tokenUrl, '0']);
        expect(await second.done).toBe('done');
        const keys = [...graph.events.values()].map((e) => e.shiftKey);
        expect(keys).toHaveLength(30);
        expect(new Set(keys).size).toBe(30);
      } finally {
        graph.close();
        rmSync(dir, { recursive: true, force: true });
      }
    },
    60_000,
  );
});
