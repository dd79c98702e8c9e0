import { type ChildProcess, fork } from 'node:child_process';

const childScript = new URL('./child-switchboard.ts', import.meta.url).pathname;
const started = new Set<ChildProcess>();

/**
 * Starts Switchboard in a child process (test/support/child-switchboard.ts) on the given folders, for
 * tests that kill it with SIGKILL; resolves with the child and its MLLP and HTTP ports once it listens.
 */
export function startSwitchboardChild(
  configDir: string,
  dataDir: string,
): Promise<{ child: ChildProcess; mllp: number; http: number }> {
  return new Promise((resolve, reject) => {
    const child = fork(childScript, [configDir, dataDir], {
      execArgv: ['--import', 'tsx'],
      stdio: 'inherit',
    });
    started.add(child);
    child.once('exit', () => started.delete(child));
    child.once('message', (m: { mllp: number; http: number }) =>
      resolve({ child, mllp: m.mllp, http: m.http }),
    );
    child.once('exit', (code) => reject(new Error(`child exited early with ${code}`)));
  });
}

/** Kills every child a failed test left running (call in afterAll): none may outlive its suite. */
export function killLeftoverSwitchboardChildren(): void {
  for (const child of started) child.kill('SIGKILL');
  started.clear();
}
