/**
 * Runs `work` over `items` with at most `limit` running at once, in the items' order, and resolves when
 * all have finished. `work` must not reject (each caller handles its own failures).
 */
export async function eachAtMost<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}
