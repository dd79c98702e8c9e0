/**
 * One Switchboard instance on the shared PostgreSQL store, for bench/cluster.ts: as
 * bench/mllp/servers/switchboard.ts (bench/lib/switchboard-child.ts), with the store from the environment
 * (SWITCHBOARD_STORE_DRIVER, SWITCHBOARD_STORE_URL, SWITCHBOARD_STORE_SCHEMA the parent sets).
 *
 * Forked through launchServer; argument: --data-dir <folder>.
 */
import { serveSwitchboardInChild } from '../lib/switchboard-child.ts';

serveSwitchboardInChild({ env: process.env, info: (running) => ({ store: running.store.kind }) });
