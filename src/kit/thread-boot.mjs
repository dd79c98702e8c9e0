// Entry of a worker thread whose module may be TypeScript: a clone runs .ts files through tsx, whose loader
// must be registered in the thread itself (loaders registered in the main thread do not reach worker
// threads); the compiled build (npm run build) names a .js entry and runs without any loader, as does a
// .ts module bundled into plain JavaScript first (thread-module.ts: cheaper to start than tsx in a thread).
import { workerData } from 'node:worker_threads';

if (workerData.entry.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(workerData.entry);
