import { describe, expect, it } from 'vitest';
import { jsonArrayBatches, NotJsonArray } from './json-array-batches.ts';

/** `text` as a body arriving `size` bytes at a time (so chunks split strings, escapes and UTF-8). */
async function* body(text: string, size: number): AsyncGenerator<Uint8Array> {
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function read(text: string, size: number, batchChars: number): Promise<unknown[][]> {
  const batches: unknown[][] = [];
  for await (const batch of jsonArrayBatches(body(text, size), { batchChars })) batches.push(batch);
  return batches;
}

async function refusal(text: string, size = 3, batchChars = 4): Promise<NotJsonArray> {
  const error = await read(text, size, batchChars).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(NotJsonArray);
  return error as NotJsonArray;
}

const tricky = [
  { a: 1, note: 'a comma, a ] and a } in a string' },
  { quote: 'say "hi"', slash: 'C:\\dir\\', both: '\\"', name: 'Zoë ✓ 🩺' },
  [1, [2, { three: [] }]],
  'plain',
  3,
  null,
];

describe('jsonArrayBatches', () => {
  it('yields every element, in order, however the body is chunked and batched', async () => {
    const text = ` \n${JSON.stringify(tricky, null, 1)}\n `;
    for (const size of [1, 2, 3, 7, 64, 100_000]) {
      for (const batchChars of [1, 5, 40, 1_000_000]) {
        const batches = await read(text, size, batchChars);
        expect(batches.flat()).toEqual(tricky);
        if (batchChars === 1) expect(batches).toHaveLength(tricky.length);
      }
    }
  });

  it('reads a body that starts with a byte order mark', async () => {
    for (const size of [1, 2, 3, 100])
      expect((await read('\ufeff[{"a":1}]', size, 4)).flat()).toEqual([{ a: 1 }]);
  });

  it('reads an empty array as no elements', async () => {
    expect((await read(' [ ] ', 1, 4)).flat()).toEqual([]);
    expect((await read('[]', 100, 4)).flat()).toEqual([]);
  });

  it('refuses what is not one whole JSON array, and says whether it was JSON at all', async () => {
    for (const text of ['[{},]', '[,{}]', '[{} {}]', '[{}, ,{}]', '[1,]', '<html>maintenance</html>'])
      for (const batchChars of [1, 4, 1000]) expect((await refusal(text, 3, batchChars)).json).toBe(false);
    const object = await refusal('{"Message":"denied"}');
    expect(object.json).toBe(true);
    expect(object.head).toBe('{"Message":"denied"}');
    expect((await refusal('[{"a":1},{"b"')).detail).toMatch(/ends before its closing bracket/);
    expect((await refusal('[{}] trailing')).detail).toMatch(/text after the array/);
    expect((await refusal('')).detail).toMatch(/empty/);
  });

  it('never quotes the body beyond its first 60 characters', async () => {
    const secret = 'Patient Name';
    const text = `[${'{"x":1},'.repeat(20)}{"name":"${secret}" oops}]`;
    const error = await refusal(text, 16, 8);
    expect(error.message).not.toContain(secret);
    expect(error.head.length).toBeLessThanOrEqual(60);
  });

  it('stops at the byte limit', async () => {
    const capped = await jsonArrayBatches(body(`[${'1,'.repeat(100)}1]`, 10), { maxBytes: 50 })
      .next()
      .then(
        () => undefined,
        (e: unknown) => e as NotJsonArray,
      );
    expect(capped?.detail).toMatch(/over 50 bytes/);
  });
});
