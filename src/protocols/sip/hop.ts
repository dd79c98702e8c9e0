/**
 * Where a SIP message comes from and where a request goes, as the network edge and the user agents above
 * it both name them (RFC 3261 section 18; RFC 3263 without DNS SRV/NAPTR: host and port as written).
 */

/** TLS is SIP over TLS over TCP (RFC 3261 section 26.2; the transport a sips: URI asks for, RFC 5630). */
export type SipTransportName = 'UDP' | 'TCP' | 'TLS';

/** Where a request goes: transport and address. */
export interface NextHop {
  transport: SipTransportName;
  address: string;
  port: number;
}

/** Where a request came from. */
export interface RequestSource {
  transport: SipTransportName;
  address: string;
  port: number;
}
