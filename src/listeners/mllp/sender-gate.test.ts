import { describe, expect, it } from 'vitest';
import { normalizeAddress, SenderGate, type SenderGateOptions } from './sender-gate.ts';

const options = (o: Partial<SenderGateOptions> = {}): SenderGateOptions => ({
  maxConnections: 10,
  maxConnectionsPerAddress: 5,
  reservedConnections: 2,
  allowedSenders: [],
  ...o,
});

describe('SenderGate', () => {
  it('reads an IPv4-mapped IPv6 address as the IPv4 address', () => {
    expect(normalizeAddress('::ffff:10.1.2.3')).toBe('10.1.2.3');
    expect(normalizeAddress('::FFFF:10.1.2.3')).toBe('10.1.2.3');
    expect(normalizeAddress('fe80::1')).toBe('fe80::1');
    const gate = new SenderGate(options({ allowedSenders: [{ address: '10.1.0.0/16' }] }));
    expect(gate.arrive('::ffff:10.1.2.3', false)).toMatchObject({ admit: true });
    expect(gate.arrive('::ffff:10.2.2.3', false)).toEqual({ admit: false, reason: 'notAllowed' });
  });

  it('counts per address across both spellings, and frees a slot on release', () => {
    const gate = new SenderGate(options({ maxConnectionsPerAddress: 2 }));
    expect(gate.arrive('10.0.0.1', false).admit).toBe(true);
    expect(gate.arrive('::ffff:10.0.0.1', false).admit).toBe(true);
    expect(gate.arrive('10.0.0.1', false)).toEqual({ admit: false, reason: 'perAddress' });
    gate.release('::ffff:10.0.0.1');
    expect(gate.arrive('10.0.0.1', false).admit).toBe(true);
    expect(gate.connections).toBe(2);
  });

  it('does not cap an allow-listed address (an interface engine with one connection per interface)', () => {
    const gate = new SenderGate(
      options({
        maxConnections: 20,
        maxConnectionsPerAddress: 2,
        allowedSenders: [{ address: '10.0.0.0/24' }, { certificateSubject: 'lab' }],
      }),
    );
    for (let i = 0; i < 6; i++) expect(gate.arrive('10.0.0.7', false).admit).toBe(true);
    expect(gate.arrive('10.0.0.7', false)).toMatchObject({ admit: true });
    // One let in only by a certificate is capped until it shows one, like anyone unknown.
    expect(gate.arrive('10.9.0.1', true).admit).toBe(true);
    expect(gate.arrive('10.9.0.1', true).admit).toBe(true);
    expect(gate.arrive('10.9.0.1', true)).toEqual({ admit: false, reason: 'perAddress' });
  });

  it('keeps the reserve for allow-listed and learned senders', () => {
    const gate = new SenderGate(options({ maxConnectionsPerAddress: 10 }), ['10.0.0.9']);
    for (let i = 0; i < 8; i++) expect(gate.arrive('10.0.0.1', false).admit).toBe(true);
    expect(gate.arrive('10.0.0.1', false)).toEqual({ admit: false, reason: 'reserved' });
    expect(gate.arrive('10.0.0.9', false).admit).toBe(true);
    gate.learn('10.0.0.2');
    expect(gate.arrive('10.0.0.2', false).admit).toBe(true);
    expect(gate.arrive('10.0.0.9', false)).toEqual({ admit: false, reason: 'full' });
    expect(gate.refused).toEqual({ notAllowed: 0, perAddress: 0, full: 1, reserved: 1 });
  });

  it('matches IPv6 networks', () => {
    const gate = new SenderGate(options({ allowedSenders: [{ address: 'fd00:10::/32' }] }));
    expect(gate.arrive('fd00:10:0:1::5', false).admit).toBe(true);
    expect(gate.arrive('fd00:11::5', false).admit).toBe(false);
  });

  it('lets a certificate entry in only with its certificate, and a subject only when the CA vouches', () => {
    const gate = new SenderGate(
      options({
        allowedSenders: [
          { certificateSubject: 'lab-interface' },
          { address: '10.0.0.0/8', certificateFingerprint: 'ab'.repeat(32) },
        ],
      }),
    );
    // Over plain TCP no certificate can be shown.
    expect(gate.arrive('10.0.0.1', false)).toEqual({ admit: false, reason: 'notAllowed' });
    expect(gate.arrive('10.0.0.1', true)).toEqual({ admit: true, needsCertificate: true });
    expect(gate.certificate('10.0.0.1', { authorized: false, subjectCN: 'lab-interface' }).admit).toBe(false);
    expect(gate.certificate('10.0.0.1', { authorized: true, subjectCN: 'lab-interface' }).admit).toBe(true);
    const pinned = { authorized: false, fingerprint256: 'AB:'.repeat(31) + 'AB' };
    expect(gate.certificate('10.0.0.1', pinned).admit).toBe(true);
    expect(gate.certificate('192.168.0.1', pinned).admit).toBe(false);
  });

  it('says which entry is wrong', () => {
    expect(
      () => new SenderGate(options({ allowedSenders: [{ name: 'lab', address: '10.0.0.300' }] })),
    ).toThrow('lab: 10.0.0.300 is not an address');
    expect(() => new SenderGate(options({ allowedSenders: [{ address: '10.0.0.0/33' }] }))).toThrow(
      'prefix longer than the address',
    );
    expect(() => new SenderGate(options({ allowedSenders: [{ certificateFingerprint: 'AB' }] }))).toThrow(
      'SHA-256',
    );
  });
});
