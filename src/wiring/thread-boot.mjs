// Entry of a worker thread that runs TypeScript: registers tsx's loader in this thread (loaders registered
// in the main thread do not reach worker threads), then runs the TypeScript entry named by the parent.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
