// A Switchboard in a child process for kill -9 tests of the outbox: secrets from its environment, its
// MLLP and HTTP ports reported over IPC.
import pino from 'pino';
import { startSwitchboard } from '../../src/main.ts';

const [configDir, dataDir] = process.argv.slice(2);
const running = await startSwitchboard({ configDir, dataDir, log: pino({ level: 'silent' }) });
process.send?.({ mllp: running.mllp?.port, http: running.http?.port });
