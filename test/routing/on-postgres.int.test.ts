/**
 * The routing and escalation behaviour suites, unchanged, with every Switchboard they start on
 * PostgreSQL (a schema of its own per test; see test/support/postgres-schema.ts).
 */
import { useTestPostgres } from '../support/postgres-schema.ts';

useTestPostgres();
await import('./routing.test.ts');
await import('./escalation.test.ts');
await import('./timeline-order.test.ts');
await import('./timeline-reasons.test.ts');
