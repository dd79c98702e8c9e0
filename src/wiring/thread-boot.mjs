// Entry of a worker thread that runs the MLLP ingest: a clone's TypeScript entry needs tsx's loader
// registered in this thread (loaders registered in the main thread do not reach worker threads); the
// compiled build (npm run build) names a .js entry and runs without any loader.
import { workerData } from 'node:worker_threads';

if (workerData.entry.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(workerData.entry);
