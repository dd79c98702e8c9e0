import { describe, expect, it } from 'vitest';
import { processCpuMs, readUdpSockets } from './udp-counters.ts';

describe('udp-counters', () => {
  it('reads address, queue and drops of each socket from /proc/net/udp', () => {
    const text = [
      '   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops',
      ' 1270: 0100007F:AC6B 00000000:0000 07 00000000:007B5000 00:00000000 00000000     0        0 123456 2 0000000000000000 20225',
    ].join('\n');
    expect(readUdpSockets(text)).toEqual([
      { address: '127.0.0.1:44139', queue: 0x7b5000, inode: '123456', drops: 20225 },
    ]);
  });

  it('adds user and system time of /proc/<pid>/stat, even with spaces in the command name', () => {
    const stat = '4242 (sipp -x) S 1 4242 4242 0 -1 4194560 100 0 0 0 150 25 0 0 20 0 1 0 100 0 0';
    expect(processCpuMs(stat)).toBe(1750);
  });
});
