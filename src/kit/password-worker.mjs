// Runs scrypt for src/kit/passwords.ts on a thread of its own. scryptSync on purpose: the asynchronous
// scrypt would go back to libuv's shared pool of four threads, where it queued ahead of the store's
// fdatasync calls and held a nurse call's acknowledgement up for a second or more during a guessing burst.
import { scryptSync } from 'node:crypto';
import { parentPort } from 'node:worker_threads';

parentPort.on('message', (job) => {
  try {
    const key = scryptSync(job.password, Buffer.from(job.salt), job.keyLength, job.cost);
    parentPort.postMessage({ id: job.id, key });
  } catch (err) {
    parentPort.postMessage({ id: job.id, error: String(err?.message ?? err) });
  }
});
