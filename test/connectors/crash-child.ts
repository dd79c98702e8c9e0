/**
 * A Switchboard's connector half in a child process, for the kill -9 test: the connector hospital on a
 * data folder, one Graph connector pointed at the parent's fake Graph, the cycle and the worker polled
 * until nothing is pending. argv: dataDir graphBase tokenUrl publish(0|1).
 */
import type { GraphOptions } from '../../src/connectors/graph/index.ts';
import { connectorHospital, connectorSettings, H, shift } from '../support/connectors.ts';

const [dataDir, baseUrl, tokenUrl, publish] = process.argv.slice(2);
const T0 = Date.parse('2026-12-07T12:00:00Z');

const h = await connectorHospital(
  [
    connectorSettings<GraphOptions>({
      id: 'outlook',
      kind: 'graph',
      personId: 'upn',
      target: baseUrl,
      credentials: { clientId: 'app', clientSecret: 'graph-secret' },
      options: {
        baseUrl,
        tokenUrl,
        tenant: 't',
        showAs: 'busy',
        categories: [],
        siteName: 'R',
        timeoutMs: 5000,
      },
    }),
  ],
  { start: new Date(T0), dir: dataDir },
);
if (publish === '1') {
  const people = ['p-ahmed', 'p-brennan'];
  await h.publish(Array.from({ length: 30 }, (_, i) => shift(`s${i}`, people[i % 2], T0 + i * 12 * H)));
}
for (;;) {
  await h.run();
  if ((await h.store.outbox.list({ state: 'pending' })).length === 0) break;
}
process.send?.({ done: true });
await h.close();
