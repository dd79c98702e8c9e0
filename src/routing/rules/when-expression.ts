/**
 * `when:` conditions in CEL (https://github.com/google/cel-spec), a small non-Turing-complete language:
 * no `eval`, no loops that can run away, no I/O. Compiled and type-checked at load, so a typo is a load
 * problem, not a message that silently fails to route at 3 a.m.
 *
 * Variables: messageType, trigger, sendingApplication, sendingFacility, controlId, listener (strings);
 * fields['PATH'] (the first value at an HL7 path, '' when absent) and values['PATH'] (every value at
 * it, over all segments and repetitions). The path inside fields[...] / values[...] must be a quoted
 * literal: that is how the paths are found, checked and read ahead of evaluation.
 */
import { type ASTNode, Environment, type ParseResult } from '@marcbachmann/cel-js';
import { RulePath } from './hl7-paths.ts';

const environment = new Environment({ limits: { maxAstNodes: 2000, maxDepth: 64 } })
  .registerVariable('messageType', 'string')
  .registerVariable('trigger', 'string')
  .registerVariable('sendingApplication', 'string')
  .registerVariable('sendingFacility', 'string')
  .registerVariable('controlId', 'string')
  .registerVariable('listener', 'string')
  .registerVariable('fields', 'map<string, string>')
  .registerVariable('values', 'map<string, list<string>>');

/** Values a compiled expression runs against. */
export interface WhenContext {
  messageType: string;
  trigger: string;
  sendingApplication: string;
  sendingFacility: string;
  controlId: string;
  listener: string;
  fields: Map<string, string>;
  values: Map<string, string[]>;
}

export class WhenExpression {
  private constructor(
    readonly source: string,
    private readonly program: ParseResult,
    /** Paths read through fields[...]: only these are read before evaluation. */
    readonly fieldPaths: readonly RulePath[],
    /** Paths read through values[...]. */
    readonly valuePaths: readonly RulePath[],
  ) {}

  /** Every path the expression reads. */
  get paths(): RulePath[] {
    const all = new Map([...this.fieldPaths, ...this.valuePaths].map((p) => [p.text, p]));
    return [...all.values()];
  }

  /** Compiles and type-checks; returns the problems (as text) instead when there are any. */
  static compile(source: string): WhenExpression | string[] {
    let program: ParseResult;
    try {
      program = environment.parse(source);
    } catch (e) {
      return [`does not compile: ${describeCelError(e)}`];
    }
    const problems: string[] = [];
    const paths = { fields: new Map<string, RulePath>(), values: new Map<string, RulePath>() };
    visit(program.ast, (node) => {
      if (node.op !== '[]') return;
      const [target, index] = node.args as [ASTNode, ASTNode];
      if (target.op !== 'id' || (target.args !== 'fields' && target.args !== 'values')) return;
      if (index.op !== 'value' || typeof index.args !== 'string') {
        problems.push(`${target.args}[...] must be given a quoted HL7 path, e.g. ${target.args}['OBX-5']`);
        return;
      }
      const path = RulePath.compile(index.args);
      if (typeof path === 'string') problems.push(`${target.args}['${index.args}']: ${path}`);
      else paths[target.args].set(path.text, path);
    });
    const checked = program.check();
    if (!checked.valid) {
      // `type` is CEL's own type() function, so the message type has another name here.
      const hint = /\btype\b/.test(source) ? ' (the message type is called messageType here)' : '';
      problems.push(`does not type-check: ${describeCelError(checked.error)}${hint}`);
    } else if (checked.type !== 'bool') {
      problems.push(`must give true or false, but gives ${checked.type}`);
    }
    return problems.length
      ? problems
      : new WhenExpression(source, program, [...paths.fields.values()], [...paths.values.values()]);
  }

  /** True when the expression holds; throws the library's EvaluationError when it fails to run. */
  holds(context: WhenContext): boolean {
    return this.program(context) === true;
  }
}

/** Visits every AST node; operands sit in `args`, as a node, a list of nodes or [key, value] pairs. */
function visit(node: ASTNode, fn: (node: ASTNode) => void): void {
  fn(node);
  const walk = (x: unknown): void => {
    if (Array.isArray(x)) x.forEach(walk);
    else if (x !== null && typeof x === 'object' && 'op' in x && 'args' in x) visit(x as ASTNode, fn);
  };
  walk(node.args);
}

/** The library's message carries a source excerpt over several lines; keep the first and the position. */
export function describeCelError(e: unknown): string {
  const err = e as { message?: string; summary?: string; range?: { start: number } };
  const text = err.summary ?? err.message?.split('\n')[0] ?? String(e);
  return err.range ? `${text} (at character ${err.range.start + 1})` : text;
}
