import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { type Document, isMap, isScalar, LineCounter, parseDocument } from 'yaml';
import type { ConfigProblem } from './config-errors.ts';

/** A parsed YAML file that can say on which line any key path stands. */
export class YamlFile {
  readonly doc: Document;
  private readonly lines = new LineCounter();

  constructor(
    readonly name: string,
    text: string,
  ) {
    this.doc = parseDocument(text, { lineCounter: this.lines, prettyErrors: false, uniqueKeys: true });
  }

  get value(): unknown {
    return this.doc.toJS({ maxAliasCount: 100 });
  }

  syntaxProblems(): ConfigProblem[] {
    const problems: ConfigProblem[] = this.doc.errors.map((e) => ({
      file: this.name,
      line: this.lines.linePos(e.pos[0]).line,
      key: '',
      message: e.message.split('\n')[0],
    }));
    if (problems.length) return problems;
    // Some files parse but cannot become values: an alias before its anchor, or aliases past the
    // limit (a billion-laughs file); or cannot be written back (an anchor with control characters,
    // which the rules fingerprint does). Those surface only here; callers read `value` after this check.
    try {
      this.value;
      String(this.doc);
    } catch (err) {
      problems.push({ file: this.name, key: '', message: (err as Error).message.split('\n')[0] });
    }
    return problems;
  }

  /** The line of the deepest node that exists along `path`. */
  lineOf(path: Array<string | number>): number | undefined {
    for (let n = path.length; n >= 0; n--) {
      const node = this.doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
      const pair = n > 0 ? this.keyNode(path.slice(0, n)) : undefined;
      const offset = pair?.range?.[0] ?? node?.range?.[0];
      if (offset !== undefined) return this.lines.linePos(offset).line;
    }
    return undefined;
  }

  /** The key node of the last path element, so an error points at `port:` rather than at its value. */
  private keyNode(path: Array<string | number>): { range?: [number, number, number] } | undefined {
    const parent =
      this.doc.getIn(path.slice(0, -1), true) ?? (path.length === 1 ? this.doc.contents : undefined);
    if (!isMap(parent)) return undefined;
    const last = path[path.length - 1];
    const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === last);
    return pair && isScalar(pair.key) ? (pair.key as { range?: [number, number, number] }) : undefined;
  }
}

/** Every `*.yaml` / `*.yml` file directly in `dir`, sorted by name. */
export function readYamlDir(dir: string): YamlFile[] {
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => new YamlFile(relative(dir, join(dir, f)), readFileSync(join(dir, f), 'utf8')));
}
