/**
 * Servers under test run in a child process of their own, so the load generator does not share an event
 * loop with them (it still shares the CPU cores; the child reports its own CPU time so a reader can see who
 * used them). The two halves talk over the fork IPC channel:
 *
 *   child                                parent
 *   ready {port, info}      ────────▶    launchServer() resolves
 *                           ◀────────    mark   (start of the measured window)
 *                           ◀────────    stop
 *   stopped {cpu, wallMs}   ────────▶    stop() resolves; the child exits
 *
 * A child that cannot start sends `failed` with the reason and exits non-zero.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

/** What the child reports when it stops: its own CPU time over the measured window. */
export interface ChildReport {
  userCpuMs: number;
  systemCpuMs: number;
  /** Wall time from `mark` to `stop`. */
  wallMs: number;
  /** Wall and CPU time of the graceful stop itself (a server may finish queued work then). */
  stopMs: number;
  stopCpuMs: number;
  /** Anything else the child wants to say (for example how many rows it stored). */
  info: Record<string, unknown>;
  /**
   * The main thread (the event loop) over the measured window: `busyMs` it was not waiting for I/O
   * (event-loop utilisation), `onCpuMs` it ran on a CPU, `runQueueMs` it was ready but waited for a CPU
   * (Linux's schedstat; absent elsewhere). A loop busy while little on a CPU and long in the run queue
   * is starved by other processes on the machine, not waiting for a lock or a timer of its own.
   */
  mainThread?: { busyMs: number; onCpuMs?: number; runQueueMs?: number };
}

export interface ChildServer {
  port: number;
  pid: number;
  /** What the child said when it became ready (for example the path of its database). */
  info: Record<string, unknown>;
  /** Starts the measured window (resets the child's CPU clock). */
  mark(): void;
  /** Asks the child to stop gracefully and waits for its report and its exit. */
  stop(): Promise<ChildReport>;
  /** Ends the child at once (after a failure). */
  kill(): void;
}

export interface LaunchOptions {
  /** Extra Node flags for the child, after `--import tsx` (e.g. `--cpu-prof`). */
  execArgv?: string[];
  env?: NodeJS.ProcessEnv;
  /** @defaultValue 30000 */
  readyTimeoutMs?: number;
  /** @defaultValue 30000 */
  stopTimeoutMs?: number;
}

type ChildMessage =
  | { type: 'ready'; port: number; info?: Record<string, unknown> }
  | { type: 'failed'; error: string }
  | ({ type: 'stopped' } & ChildReport);

type ParentMessage = { type: 'mark' } | { type: 'stop' };

/** Forks `file` under tsx and resolves once it reports the port it listens on. */
export function launchServer(
  file: string,
  args: string[] = [],
  options: LaunchOptions = {},
): Promise<ChildServer> {
  const child = fork(file, args, {
    execArgv: ['--import', 'tsx', ...(options.execArgv ?? [])],
    env: options.env ?? process.env,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise<ChildServer>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${file} did not report ready within ${options.readyTimeoutMs ?? 30000} ms`));
    }, options.readyTimeoutMs ?? 30000);
    const onExit = (code: number | null, signal: string | null) => {
      clearTimeout(timer);
      reject(new Error(`${file} exited before it was ready (code ${code}, signal ${signal})`));
    };
    child.once('exit', onExit);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('message', function onReady(raw) {
      const msg = raw as ChildMessage;
      if (msg.type === 'failed') {
        clearTimeout(timer);
        child.off('exit', onExit);
        reject(new Error(`${file} failed to start: ${msg.error}`));
      } else if (msg.type === 'ready') {
        clearTimeout(timer);
        child.off('exit', onExit);
        child.off('message', onReady);
        resolve(controlChild(child, file, msg.port, msg.info ?? {}, options.stopTimeoutMs ?? 30000));
      }
    });
  });
}

function controlChild(
  child: ChildProcess,
  file: string,
  port: number,
  info: Record<string, unknown>,
  stopTimeoutMs: number,
): ChildServer {
  const send = (msg: ParentMessage) => {
    if (child.connected) child.send(msg);
  };
  return {
    port,
    pid: child.pid ?? -1,
    info,
    mark: () => send({ type: 'mark' }),
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
    stop: () =>
      new Promise<ChildReport>((resolve, reject) => {
        let report: ChildReport | undefined;
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`${file} did not stop within ${stopTimeoutMs} ms`));
        }, stopTimeoutMs);
        child.on('message', (raw) => {
          const msg = raw as ChildMessage;
          if (msg.type === 'stopped') {
            const { type: _type, ...rest } = msg;
            report = rest;
          }
        });
        // Resolve on exit, not on the report: a profiling child writes its profile while exiting.
        child.once('exit', (code) => {
          clearTimeout(timer);
          if (report && code === 0) resolve(report);
          else reject(new Error(`${file} exited with code ${code} ${report ? '' : 'without a report'}`));
        });
        send({ type: 'stop' });
      }),
  };
}

/** The running server as the child sees it. */
export interface ServedInChild {
  port: number;
  info?: Record<string, unknown>;
  /** Graceful stop; may return figures to pass on to the parent. */
  stop(): Promise<Record<string, unknown> | undefined>;
}

/**
 * Child side: starts the server, reports its port, then waits for `mark` and `stop` from the parent.
 * Call it once at the top level of a server file that `launchServer` forks.
 */
export function serveInChild(start: () => Promise<ServedInChild>): void {
  if (!process.send) throw new Error('serveInChild must run in a process started by launchServer');
  const reply = (msg: ChildMessage) => process.send?.(msg);
  let markedCpu = process.cpuUsage();
  let markedAt = performance.now();
  let markedLoop = performance.eventLoopUtilization();
  let markedSched = mainThreadSchedule();
  start().then(
    (served) => {
      process.on('message', (raw) => {
        const msg = raw as ParentMessage;
        if (msg.type === 'mark') {
          markedCpu = process.cpuUsage();
          markedAt = performance.now();
          markedLoop = performance.eventLoopUtilization();
          markedSched = mainThreadSchedule();
        } else if (msg.type === 'stop') {
          const stopAsked = process.cpuUsage();
          const cpu = process.cpuUsage(markedCpu);
          const loop = performance.eventLoopUtilization(markedLoop);
          const sched = mainThreadSchedule();
          const mainThread = {
            busyMs: loop.active,
            ...(sched && markedSched
              ? {
                  onCpuMs: sched.onCpuMs - markedSched.onCpuMs,
                  runQueueMs: sched.runQueueMs - markedSched.runQueueMs,
                }
              : {}),
          };
          const stopAt = performance.now();
          const wallMs = stopAt - markedAt;
          served.stop().then(
            (info) => {
              const stopCpu = process.cpuUsage(stopAsked);
              reply({
                type: 'stopped',
                userCpuMs: cpu.user / 1000,
                systemCpuMs: cpu.system / 1000,
                wallMs,
                stopMs: performance.now() - stopAt,
                stopCpuMs: (stopCpu.user + stopCpu.system) / 1000,
                info: info ?? {},
                mainThread,
              });
              process.disconnect();
              // Should a library keep a handle open, end anyway; unref'd, so a clean exit is not delayed.
              setTimeout(() => process.exit(0), 5000).unref();
            },
            (err: Error) => {
              console.error(`server stop failed: ${err.stack ?? err.message}`);
              process.exit(1);
            },
          );
        }
      });
      reply({ type: 'ready', port: served.port, info: served.info });
    },
    (err: Error) => {
      reply({ type: 'failed', error: err.stack ?? err.message });
      process.exitCode = 1;
      process.disconnect();
    },
  );
}

/**
 * The main thread's time on a CPU and waiting in the run queue so far, from /proc/self/task/<pid>/schedstat
 * (nanoseconds); undefined where the kernel does not offer it.
 */
function mainThreadSchedule(): { onCpuMs: number; runQueueMs: number } | undefined {
  try {
    const [onCpu, runQueue] = readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8')
      .trim()
      .split(' ')
      .map(Number);
    if (!Number.isFinite(onCpu) || !Number.isFinite(runQueue)) return undefined;
    return { onCpuMs: onCpu! / 1e6, runQueueMs: runQueue! / 1e6 };
  } catch {
    return undefined;
  }
}
