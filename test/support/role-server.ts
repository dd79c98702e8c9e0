import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RoleRoster } from '../../src/connectors/tigerconnect/index.ts';

/** A TigerConnect-style REST server: PUT /v2/roles/{role}/schedule replaces the role's roster (overwrite). */
export class RoleServer {
  server: Server;
  rosters = new Map<string, RoleRoster['entries']>();
  puts = 0;
  refused = 0;
  constructor(
    private readonly key: string,
    private readonly secret: string,
  ) {
    this.server = createServer((req, res) => {
      let text = '';
      req.on('data', (c) => {
        text += c;
      });
      req.on('end', () => {
        const expected = `Basic ${Buffer.from(`${this.key}:${this.secret}`).toString('base64')}`;
        if (req.headers.authorization !== expected) {
          this.refused++;
          res.writeHead(401).end('{"error":"bad api key"}');
          return;
        }
        const m = /^\/v2\/roles\/([^/]+)\/schedule$/.exec(req.url ?? '');
        if (req.method !== 'PUT' || !m) {
          res.writeHead(404).end();
          return;
        }
        this.puts++;
        const body = JSON.parse(text) as RoleRoster;
        this.rosters.set(decodeURIComponent(m[1]), body.entries);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      });
    });
  }
  async listen(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
}
