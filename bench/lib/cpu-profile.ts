/**
 * Reads a V8 CPU profile (`node --cpu-prof`, the format Chrome DevTools opens) and summarises it in
 * text: where the samples fell by function (self time) and by source file (self time of its
 * functions), so a benchmark's profile can be pasted into a report.
 *
 *   npx tsx bench/lib/cpu-profile.ts <file.cpuprofile> [top N]
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileEntry {
  name: string;
  selfMs: number;
  share: number;
}

export interface ProfileSummary {
  totalMs: number;
  /** Time in (idle): the thread was waiting, not computing. */
  idleMs: number;
  byFunction: ProfileEntry[];
  byFile: ProfileEntry[];
}

/** Attributes each sample's time delta to the function it landed in, then ranks functions and files. */
export function summariseProfile(profile: CpuProfile): ProfileSummary {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    // V8 stores the time before a sample; the next delta belongs to this sample.
    const delta = profile.timeDeltas[i + 1] ?? 0;
    selfUs.set(profile.samples[i], (selfUs.get(profile.samples[i]) ?? 0) + delta);
  }
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  let totalUs = 0;
  let idleUs = 0;
  for (const [id, us] of selfUs) {
    const frame = nodes.get(id)?.callFrame;
    if (!frame) continue;
    totalUs += us;
    if (frame.functionName === '(idle)') idleUs += us;
    const file = shortUrl(frame.url) || frame.functionName;
    const fn = `${frame.functionName || '(anonymous)'} ${file}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
    byFile.set(file, (byFile.get(file) ?? 0) + us);
  }
  const rank = (m: Map<string, number>) =>
    [...m]
      .map(([name, us]) => ({ name, selfMs: us / 1000, share: totalUs ? us / totalUs : 0 }))
      .sort((a, b) => b.selfMs - a.selfMs);
  return {
    totalMs: totalUs / 1000,
    idleMs: idleUs / 1000,
    byFunction: rank(byFunction),
    byFile: rank(byFile),
  };
}

/** node_modules/<package>/… or the path inside the repository, instead of a long file URL. */
function shortUrl(url: string): string {
  if (!url) return '';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) return url.slice(modules + 'node_modules/'.length);
  for (const root of ['/src/', '/bench/', '/test/']) {
    const at = url.lastIndexOf(root);
    if (at >= 0) return url.slice(at + 1);
  }
  return url.replace(/^file:\/\//, '');
}

export function formatProfile(summary: ProfileSummary, top = 25): string {
  const line = (e: ProfileEntry) =>
    `  ${e.selfMs.toFixed(0).padStart(7)} ms ${(e.share * 100).toFixed(1).padStart(5)}%  ${e.name}`;
  return [
    `total ${summary.totalMs.toFixed(0)} ms sampled, idle ${summary.idleMs.toFixed(0)} ms`,
    'self time by function:',
    ...summary.byFunction.slice(0, top).map(line),
    'self time by file:',
    ...summary.byFile.slice(0, top).map(line),
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [file, top] = process.argv.slice(2);
  if (!file) {
    console.error('usage: npx tsx bench/lib/cpu-profile.ts <file.cpuprofile> [top N]');
    process.exitCode = 2;
  } else {
    const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
    console.log(formatProfile(summariseProfile(profile), top ? Number(top) : 25));
  }
}
