#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadSite } from './config/site.ts';
import { MllpClient, readAck, splitMessages } from './delivery/mllp/client.ts';
import { ldapSyncCommand, ldapSyncUsage } from './identity-cli.ts';
import { ConfigError } from './kit/config-errors.ts';
import { hashPassword } from './kit/passwords.ts';
import { startSwitchboard } from './main.ts';
import { shiftHours } from './routing/on-call-words.ts';
import { OnCallResolver } from './schedules/on-call.ts';
import { applySchedules } from './schedules/sync.ts';
import { sourcesCommand, syncCommand } from './sources-cli.ts';
import { DataFolderInUseError } from './store/owner-lock.ts';
import { openSqliteStore } from './store/sqlite/index.ts';
import { connectorsCommand, connectorsUsage } from './wiring/connectors-command.ts';

const usage = `switchboard — clinical message router

Usage:
  switchboard start [--config DIR] [--data DIR]
      Run the router (defaults: --config config --data data).
  switchboard send-hl7 FILE... [--host HOST] [--port PORT]
      Send every HL7 message in the files over MLLP, one at a time, and print each ACK.
      Exits 1 if any ACK is not AA/CA, 2 if the receiver cannot be reached.
  switchboard messages [list] [--data DIR] [--type ORU^R01] [--sender APP] [--control-id ID] [--limit N]
  switchboard messages show ID [--data DIR]
      Read the stored inbox directly from the data folder.
  switchboard oncall [ASSIGNMENT] [--at ISO] [--config DIR] [--data DIR]
      Who is on call now (or at --at), in call order, and the account each person signs in with.
  switchboard sources [--config DIR] [--data DIR]
      Each scheduling source (sources.yaml): last success, last error, next run, a held sync, the last run.
  switchboard sync SOURCE [--dry-run] [--config DIR] [--data DIR] [--url URL]
      Pull one source now and print the changes in local time (--dry-run: what it would change, nothing
      written). While Switchboard runs on the data folder, asks it over the API (SWITCHBOARD_API_TOKEN).
  switchboard hash-password
      Read a password from standard input; print the hash to put in config/accounts.yaml.
${ldapSyncUsage}${connectorsUsage}`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'start':
      return start(rest);
    case 'send-hl7':
      return sendHl7(rest);
    case 'messages':
      return messages(rest);
    case 'hash-password':
      return hashPasswordCommand();
    case 'oncall':
      return oncallCommand(rest);
    case 'sources':
      return sourcesCommand(rest);
    case 'sync':
      return syncCommand(rest);
    case 'connectors':
      return connectorsCommand(rest);
    case 'ldap-sync':
      return ldapSyncCommand(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(usage);
      return command === undefined ? 1 : 0;
    default:
      process.stderr.write(`unknown command: ${command}\n\n${usage}`);
      return 1;
  }
}

async function start(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { config: { type: 'string', default: 'config' }, data: { type: 'string', default: 'data' } },
  });
  let running: Awaited<ReturnType<typeof startSwitchboard>>;
  try {
    running = await startSwitchboard({ configDir: values.config!, dataDir: values.data! });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      return 78; // EX_CONFIG
    }
    if (err instanceof DataFolderInUseError) {
      process.stderr.write(`switchboard: ${err.message}\n`);
      return 75; // EX_TEMPFAIL: start again once the other one has stopped
    }
    throw err;
  }
  const { log } = running;
  const http = running.http && { host: running.http.host, port: running.http.port };
  log.info({ mllp: running.mllp, http, data: values.data }, 'Switchboard is running');
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'stopping: finishing what is in flight');
      // Whatever still holds the stop up long past its grace is cut short: every acknowledged message is
      // on the disk already (inbound journal or store) and is taken up at the next start, as after a kill -9.
      const graceSeconds = running.config.listeners.mllp.shutdownGraceSeconds;
      const cutShort = () => {
        log.error({ graceSeconds }, 'stop took too long; leaving the rest to the next start');
        process.exit(1);
      };
      setTimeout(cutShort, (graceSeconds * 2 + 10) * 1000).unref();
      running.stop().then(resolve, (err) => {
        log.error({ err }, 'stop failed');
        resolve();
      });
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  // Work cut short at the grace (a routing backlog) would carry on against the closed store: leave now.
  process.exit(0);
}

async function sendHl7(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '2575' },
      timeout: { type: 'string', default: '30' },
    },
  });
  if (positionals.length === 0) {
    process.stderr.write('send-hl7 needs at least one FILE\n');
    return 1;
  }
  const client = new MllpClient({
    host: values.host!,
    port: Number(values.port),
    ackTimeoutMs: Number(values.timeout) * 1000,
  });
  try {
    await client.connect();
  } catch (err) {
    process.stderr.write(`cannot reach ${values.host}:${values.port}: ${(err as Error).message}\n`);
    return 2;
  }
  let failures = 0;
  try {
    for (const file of positionals) {
      for (const message of splitMessages(readFileSync(file))) {
        const ack = await client.send(message);
        const { code, controlId, text } = readAck(ack);
        if (code !== 'AA' && code !== 'CA') failures += 1;
        process.stdout.write(
          `${file}: ${code} ${controlId}${text ? ` ${text}` : ''}\n${ack.replace(/\r/g, '\n')}\n`,
        );
      }
    }
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return 2;
  } finally {
    await client.close();
  }
  return failures > 0 ? 1 : 0;
}

async function hashPasswordCommand(): Promise<number> {
  if (process.stdin.isTTY) process.stderr.write('password: ');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const password = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (password.length < 4) {
    process.stderr.write('a password needs at least 4 characters\n');
    return 1;
  }
  process.stdout.write(`${await hashPassword(password)}\n`);
  return 0;
}

async function oncallCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      config: { type: 'string', default: 'config' },
      data: { type: 'string', default: 'data' },
      at: { type: 'string' },
    },
  });
  const site = loadSite(values.config!, process.env);
  const at = values.at ? new Date(values.at) : new Date();
  const store = openSqliteStore(values.data!);
  try {
    // The same sync `start` does, so this answers on a data folder that was never started too.
    await applySchedules(store.schedules, site.schedules);
    const resolver = new OnCallResolver(store.schedules);
    // The shift's hours as the rota writes them: the site's wall clock.
    const zone = site.config.site.timezone;
    const assignments = (await store.schedules.listAssignments()).filter(
      (a) => !positionals[0] || a.id === positionals[0],
    );
    for (const a of assignments) {
      process.stdout.write(`${a.id} — ${a.name}\n`);
      const entries = await resolver.onCall(a.id, at);
      if (!entries.length) process.stdout.write('   nobody on call\n');
      for (const e of entries) {
        const person = site.directory.person(e.personId);
        const account = site.config.accounts.find((x) => x.person === e.personId)?.username;
        process.stdout.write(
          `   ${e.callOrder}. ${person?.name ?? e.personId}${account ? `  (sign in as ${account})` : ''}  ${shiftHours(e.shift.start, e.shift.end, zone)}\n`,
        );
      }
    }
    return 0;
  } finally {
    await store.close();
  }
}

async function messages(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      data: { type: 'string', default: 'data' },
      type: { type: 'string' },
      sender: { type: 'string' },
      'control-id': { type: 'string' },
      limit: { type: 'string', default: '20' },
    },
  });
  const store = openSqliteStore(values.data!);
  try {
    if (positionals[0] === 'show') {
      const m = await store.messages.get(Number(positionals[1]));
      if (!m) {
        process.stderr.write(`no message ${positionals[1]}\n`);
        return 1;
      }
      await store.audit.record({
        at: new Date(),
        actor: `cli:${process.env.USER ?? 'unknown'}`,
        action: 'message.view',
        subject: `message:${m.id}`,
      });
      const { raw, ...meta } = m;
      process.stdout.write(
        `${JSON.stringify(meta, null, 2)}\n${raw.toString('utf8').replace(/\r/g, '\n')}\n`,
      );
      return 0;
    }
    const { items, total } = await store.messages.list({
      type: values.type,
      sender: values.sender,
      controlId: values['control-id'],
      limit: Number(values.limit),
    });
    for (const m of items) {
      process.stdout.write(
        `${m.id}\t${m.receivedAt.toISOString()}\t${m.messageType}^${m.triggerEvent}\t${m.sendingApplication}/${m.sendingFacility}\t${m.controlId}\t${m.status}\n`,
      );
    }
    process.stdout.write(`${items.length} of ${total} message(s)\n`);
    return 0;
  } finally {
    await store.close();
  }
}

// `switchboard messages | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    // A mistyped option (`send-hl7 --help`) is the user's to fix: say which, then how it is used.
    const code = (err as NodeJS.ErrnoException)?.code;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      process.stderr.write(`${(err as Error).message.split('. ')[0]}\n\n${usage}`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  },
);
