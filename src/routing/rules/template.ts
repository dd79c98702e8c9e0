/**
 * Texts with placeholders: "Critical {{OBX-3.2}}: {{OBX-5}} {{OBX-6}}". A placeholder is an HL7 path or
 * one of a few names for header facts. Parsed and checked once at load; rendering is a join.
 */
import { RulePath } from './hl7-paths.ts';
import type { RoutableMessage } from './types.ts';

/** Header facts a template may quote by name, besides HL7 paths. */
export const TEMPLATE_NAMES = [
  'messageType',
  'trigger',
  'sendingApplication',
  'sendingFacility',
  'controlId',
  'listener',
] as const;
export type TemplateName = (typeof TEMPLATE_NAMES)[number];

type Part = { literal: string } | { path: RulePath } | { name: TemplateName };

/** Where the values come from while one message is being evaluated. */
export interface TemplateScope {
  message: RoutableMessage;
  listener: string;
  /** Read a path (in the segment a condition matched, when it did). */
  read(path: RulePath): string;
}

export class Template {
  readonly source: string;
  readonly paths: readonly RulePath[];
  private readonly parts: readonly Part[];

  private constructor(source: string, parts: Part[]) {
    this.source = source;
    this.parts = parts;
    this.paths = parts.flatMap((p) => ('path' in p ? [p.path] : []));
  }

  /** Parses a template; returns every problem in it (as text) instead when there are any. */
  static parse(source: string): Template | string[] {
    const parts: Part[] = [];
    const problems: string[] = [];
    let from = 0;
    while (from < source.length) {
      const open = source.indexOf('{{', from);
      if (open === -1) {
        parts.push({ literal: source.slice(from) });
        break;
      }
      if (open > from) parts.push({ literal: source.slice(from, open) });
      const close = source.indexOf('}}', open + 2);
      if (close === -1) {
        problems.push(`has a '{{' at character ${open + 1} that is never closed with '}}'`);
        break;
      }
      const inner = source.slice(open + 2, close).trim();
      if ((TEMPLATE_NAMES as readonly string[]).includes(inner)) {
        parts.push({ name: inner as TemplateName });
      } else {
        const path = RulePath.compile(inner);
        if (typeof path === 'string') {
          problems.push(
            `{{${inner}}} is neither an HL7 path (${path}) nor one of ${TEMPLATE_NAMES.join(', ')}`,
          );
        } else parts.push({ path });
      }
      from = close + 2;
    }
    return problems.length ? problems : new Template(source, parts);
  }

  /**
   * Renders the text. With `strict`, returns undefined when any placeholder is empty: a dedup key with a
   * missing patient id must not merge alerts about different patients.
   */
  render(scope: TemplateScope, strict = false): string | undefined {
    let out = '';
    for (const part of this.parts) {
      let value: string;
      if ('literal' in part) value = part.literal;
      else {
        value = 'path' in part ? scope.read(part.path) : nameValue(part.name, scope);
        if (strict && value === '') return undefined;
      }
      out += value;
    }
    return out.trim();
  }
}

function nameValue(name: TemplateName, scope: TemplateScope): string {
  const h = scope.message.header;
  switch (name) {
    case 'messageType':
      return h.messageType;
    case 'trigger':
      return h.triggerEvent;
    case 'sendingApplication':
      return h.sendingApplication;
    case 'sendingFacility':
      return h.sendingFacility;
    case 'controlId':
      return h.controlId;
    case 'listener':
      return scope.listener;
  }
}
