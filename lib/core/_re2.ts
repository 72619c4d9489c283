import { IConstruct } from 'constructs';
import { RE2JS, RE2JSSyntaxException } from 're2js';

import { reject } from './input-validation';

/** @internal */
export interface Re2CheckOptions {
  /**
   * Longest pattern allowed, in UTF-8 bytes (Istio counts Go string bytes).
   * @default no limit
   */
  readonly maxBytes?: number;
}

/**
 * Checks that `value` is a regular expression RE2 accepts, the engine Envoy (Istio's string
 * matches) and Prometheus (relabel rules) run. JavaScript's `RegExp` is the wrong judge: it takes
 * lookarounds and backreferences RE2 refuses, and refuses RE2's `(?i)` and `(?P<name>...)`.
 * re2js is a port of RE2's parser, so its verdict and reason are RE2's.
 * @internal
 */
export function checkRe2(scope: IConstruct, field: string, value: string, options: Re2CheckOptions = {}): string {
  if (typeof value !== 'string') reject(scope, field, value, 'an RE2 regular expression (a string)');
  const { maxBytes } = options;
  if (maxBytes !== undefined && Buffer.byteLength(value, 'utf8') > maxBytes) {
    reject(scope, field, value, `an RE2 regular expression of at most ${maxBytes} bytes`);
  }
  try {
    // Default flags: RE2's syntax, without re2js's opt-in lookbehind extension.
    RE2JS.compile(value);
  } catch (e) {
    if (!(e instanceof RE2JSSyntaxException)) throw e;
    reject(scope, field, value, `an RE2 regular expression (RE2: ${re2Reason(e)})`);
  }
  if (usesAngleNamedGroup(value)) {
    reject(
      scope,
      field,
      value,
      'an RE2 regular expression that names groups as (?P<name>...): (?<name>...) is newer syntax that ' +
        'Go before 1.22 (istiod and Prometheus of older releases) and RE2 before 2023 (older Envoys) refuse',
    );
  }
  return value;
}

/**
 * Whether a pattern RE2 accepts opens a group with `(?<name>`. Each textual `(?<` is spoiled to `(?~<`:
 * only a real group opening then fails to parse, so escaped, quoted or bracketed text is told apart by RE2's parser.
 */
function usesAngleNamedGroup(value: string): boolean {
  for (let i = value.indexOf('(?<'); i >= 0; i = value.indexOf('(?<', i + 1)) {
    const next = value.charAt(i + 3);
    if (next === '=' || next === '!') continue; // lookbehinds, which RE2 has already refused as groups
    try {
      RE2JS.compile(`${value.slice(0, i)}(?~<${value.slice(i + 3)}`);
    } catch {
      return true;
    }
  }
  return false;
}

/** RE2's own wording, e.g. "invalid or unsupported Perl syntax: `(?!`", without the generic prefix. */
function re2Reason(e: RE2JSSyntaxException): string {
  return e.message.replace(/^error parsing regexp: /, '');
}
