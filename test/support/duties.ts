import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An iCalendar feed on a real socket that counts its pulls by the first part of the path, so a test can
 * give each instance of a cluster its own path to the same source and tell which instance pulled.
 */
export interface IcalServer {
  url: string;
  pulls(path: string): number;
  close(): Promise<void>;
}

const EMPTY_CALENDAR =
  'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Switchboard tests//EN\r\nEND:VCALENDAR\r\n';

export async function startIcalServer(): Promise<IcalServer> {
  const counts = new Map<string, number>();
  const server = createServer((req, res) => {
    const first = (req.url ?? '/').split('/')[1] ?? '';
    counts.set(first, (counts.get(first) ?? 0) + 1);
    res.writeHead(200, { 'content-type': 'text/calendar' });
    res.end(EMPTY_CALENDAR);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    pulls: (path) => counts.get(path) ?? 0,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The config files of a site with one iCalendar source, `rota`, read from `url` every minute. */
export function rotaSourceFiles(url: string): Record<string, string> {
  return {
    'schedules.yaml':
      'schedules:\n  assignments:\n    - { id: rota-oncall, name: Rota on call, type: oncall }\n',
    'sources.yaml': `sources:
  - id: rota
    kind: ical
    everyMinutes: 1
    people: [{ field: email, match: upn }]
    assignments:
      - { task: { name: Rota }, assignment: rota-oncall, callOrder: 1 }
    options:
      url: ${url}
      person: ATTENDEE
      task: SUMMARY
`,
  };
}

/** Waits until `check` holds, looking every 50 ms; fails after `limitMs` (a hang, not a slow machine). */
export async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  limitMs = 45_000,
): Promise<void> {
  const end = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`waited ${limitMs} ms for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
