/**
 * The SIP gateway behaviour suites (SIPp and baresip peers), unchanged, with every Switchboard they
 * start on PostgreSQL (a schema of its own per test; see test/support/postgres-schema.ts).
 */
import { useTestPostgres } from '../support/postgres-schema.ts';

useTestPostgres();
await import('./gateway.sipp.test.ts');
await import('./message-call-back.sipp.test.ts');
await import('./baresip.test.ts');
