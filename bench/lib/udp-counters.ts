/**
 * What the kernel saw of a UDP benchmark, read from Linux's /proc: datagrams each socket dropped because
 * its receive buffer was full (/proc/net/udp "drops"), the deepest its queue got, and the CPU time of
 * child processes (the load generators) from /proc/<pid>/stat. A sender that loses datagrams it believes
 * were sent retransmits them 500 ms later, so these say whether a slow run was lost datagrams or work.
 *
 * Sockets and processes vanish when they close, so the watcher samples every 100 ms and keeps the last
 * figures it saw. Elsewhere than Linux every figure stays undefined.
 */
import { readFileSync } from 'node:fs';

export interface SocketFigures {
  /** Datagrams dropped since the watch began (or since the socket opened, if later). */
  drops: number;
  /** Deepest receive queue seen, in bytes of kernel memory (what counts against SO_RCVBUF). */
  maxQueueBytes: number;
}

interface SocketLine {
  address: string;
  queue: number;
  drops: number;
  inode: string;
}

/** `127.0.0.1:5060` from /proc/net/udp's little-endian hex `0100007F:13C4`. */
function decodeAddress(hex: string): string {
  const [ip, port] = hex.split(':') as [string, string];
  const bytes = ip
    .match(/../g)!
    .map((b) => Number.parseInt(b, 16))
    .reverse();
  return `${bytes.join('.')}:${Number.parseInt(port, 16)}`;
}

export function readUdpSockets(text: string): SocketLine[] {
  return text
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/))
    .filter((c) => c.length >= 13)
    .map((c) => ({
      address: decodeAddress(c[1]!),
      queue: Number.parseInt(c[4]!.split(':')[1]!, 16),
      inode: c[9]!,
      drops: Number(c[12]),
    }));
}

function readProc(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** utime + stime of a process in ms (fields 14 and 15 of /proc/<pid>/stat, in clock ticks of 10 ms). */
export function processCpuMs(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

export class UdpWatch {
  private readonly sockets = new Map<string, { address: string; first: number; last: number; max: number }>();
  private readonly cpu = new Map<number, number>();
  private readonly pids = new Set<number>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly addresses: string[]) {
    this.sample(true);
    this.timer = setInterval(() => this.sample(false), 100);
  }

  /** Also keeps the CPU time of this process (a load generator). */
  watchProcess(pid: number | undefined): void {
    if (pid !== undefined) this.pids.add(pid);
  }

  private sample(initial: boolean): void {
    const text = readProc('/proc/net/udp');
    if (text !== undefined) {
      for (const s of readUdpSockets(text)) {
        if (!this.addresses.includes(s.address)) continue;
        const seen = this.sockets.get(s.inode);
        // A socket opened after the watch began starts from zero: its drops are all ours.
        if (!seen)
          this.sockets.set(s.inode, {
            address: s.address,
            first: initial ? s.drops : 0,
            last: s.drops,
            max: s.queue,
          });
        else {
          seen.last = s.drops;
          seen.max = Math.max(seen.max, s.queue);
        }
      }
    }
    for (const pid of this.pids) {
      const stat = readProc(`/proc/${pid}/stat`);
      if (stat !== undefined) this.cpu.set(pid, processCpuMs(stat));
    }
  }

  /** Stops sampling; figures per watched address (every socket bound there added up). */
  stop(): { sockets: Map<string, SocketFigures>; cpuMs: Map<number, number> } {
    this.sample(false);
    clearInterval(this.timer);
    const sockets = new Map<string, SocketFigures>();
    for (const s of this.sockets.values()) {
      const f = sockets.get(s.address) ?? { drops: 0, maxQueueBytes: 0 };
      f.drops += s.last - s.first;
      f.maxQueueBytes = Math.max(f.maxQueueBytes, s.max);
      sockets.set(s.address, f);
    }
    return { sockets, cpuMs: this.cpu };
  }
}
