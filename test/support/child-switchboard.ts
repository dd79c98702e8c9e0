// Runs a Switchboard in a child process so a test can kill it with SIGKILL. Reports its ports over IPC.
import pino from 'pino';
import { startSwitchboard } from '../../src/main.ts';

const [configDir, dataDir] = process.argv.slice(2);
const running = await startSwitchboard({ configDir, dataDir, env: {}, log: pino({ level: 'silent' }) });
process.send?.({ mllp: running.mllp?.port, http: running.http?.port });
process.on('SIGTERM', () => {
  running.stop().then(() => process.exit(0));
});
