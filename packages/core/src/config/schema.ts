/**
 * A small validation language with the semantics of the voluptuous schemas the original Nodepool
 * validates its configuration with, so that we accept and reject the same files:
 *
 * - mappings reject keys they do not declare (unless `extra: 'allow'`);
 * - keys are optional unless `required`; `null` (a key with no value) fails every type;
 * - `int` accepts booleans (Python's bool is an int) but not floats; `float` rejects integers;
 * - values are checked, not converted; drivers read the checked data afterwards.
 *
 * YAML data is expected as `YamlSource` produces it: integers as `bigint`, floats as `number`.
 * Every problem is collected (not only the first) with its key path.
 */
import { blocksLoading, type ConfigIssue, type ConfigPath } from './issues.js';
import { nonStringKeysOf } from './yaml-source.js';

/** Checks a value against one part of a schema. */
export interface Schema {
  /** Human wording of what is expected, e.g. `a string`, `a list of strings`. */
  readonly expected: string;
  /**
   * Reports problems into `issues`; returns whether the value can be loaded: it has no
   * problem, or only `validatorOnly` ones.
   */
  check(value: unknown, path: ConfigPath, issues: ConfigIssue[]): boolean;
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'nothing (null)';
  if (typeof value === 'bigint') return `the integer ${value}`;
  if (typeof value === 'number') return `the number ${value}`;
  if (typeof value === 'boolean') return `the boolean ${value}`;
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value)}`;
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Date) return 'a date';
  return 'a mapping';
}

function primitive(expected: string, test: (value: unknown) => boolean): Schema {
  return {
    expected,
    check(value, path, issues) {
      if (test(value)) return true;
      issues.push({ path, message: `expected ${expected}, got ${describe(value)}` });
      return false;
    },
  };
}

/** A plain mapping (not a list, date or null). */
export function isMapping(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date);
}

/** Python `str`. */
export const str = primitive('a string', (value) => typeof value === 'string');
/** Python `int`: integers, and booleans, which Python counts as integers. */
export const int = primitive('an integer', (value) => typeof value === 'bigint' || typeof value === 'boolean');
/** Python `bool`. */
export const bool = primitive('a boolean', (value) => typeof value === 'boolean');
/**
 * Python `float`: a number written with a decimal point. The original validator refuses an
 * integer (or a boolean) here, but its daemons use one as a number, so that refusal is
 * `validatorOnly`.
 */
export const float: Schema = {
  expected: 'a decimal number',
  check(value, path, issues) {
    if (typeof value === 'number') return true;
    const integral = typeof value === 'bigint' || typeof value === 'boolean';
    issues.push({ path, message: `expected a decimal number, got ${describe(value)}${integral ? ' (write it with a decimal point)' : ''}`, ...(integral ? { validatorOnly: true } : {}) });
    return integral;
  },
};
/** `v.Any(int, float)`. */
export const number = primitive('a number', (value) => typeof value === 'bigint' || typeof value === 'number' || typeof value === 'boolean');
/** `v.Coerce(float)`: anything Python's float() takes, numeric strings included. */
export const coerceFloat = primitive(
  'a number',
  (value) =>
    typeof value === 'bigint' ||
    typeof value === 'number' ||
    typeof value === 'boolean' ||
    (typeof value === 'string' && /^\s*[-+]?(?:(?:\d[\d_]*)?\.?\d[\d_]*(?:[eE][-+]?\d+)?|inf(?:inity)?|nan)\s*$/i.test(value)),
);
/** Python `dict`: any mapping, whatever it holds. */
export const anyMapping = primitive('a mapping', isMapping);
/** Python `list`: any list, whatever it holds. */
export const anyList = primitive('a list', (value) => Array.isArray(value));
/** Anything at all, null included (voluptuous `object`). */
export const anything: Schema = { expected: 'anything', check: () => true };

/** One of the given literal values (`v.Any('a', 'b')`). */
export function oneOf(...values: readonly (string | number | boolean)[]): Schema {
  return primitive(`one of ${values.map((v) => JSON.stringify(v)).join(', ')}`, (value) =>
    values.some((allowed) => (typeof value === 'bigint' ? Number(value) === allowed : value === allowed)),
  );
}

/** A string matching `pattern` at its start (voluptuous `Match`, which uses re.match). */
export function match(pattern: RegExp, expected = `a string matching ${pattern.source}`): Schema {
  const anchored = new RegExp(`^(?:${pattern.source})`, pattern.flags);
  return primitive(expected, (value) => typeof value === 'string' && anchored.test(value));
}

/** A list whose every item matches `item` (`[item]`); an empty list is fine. */
export function list(item: Schema): Schema {
  return {
    expected: `a list of ${item.expected.replace(/^an? /, '')}s`.replace(/ss$/, 's'),
    check(value, path, issues) {
      if (!Array.isArray(value)) {
        issues.push({ path, message: `expected a list, got ${describe(value)}` });
        return false;
      }
      let ok = true;
      value.forEach((element, index) => {
        ok = item.check(element, [...path, index], issues) && ok;
      });
      return ok;
    },
  };
}

/** Valid if any alternative is valid (`v.Any`). */
export function any(...alternatives: Schema[]): Schema {
  const expected = alternatives.map((alternative) => alternative.expected).join(' or ');
  return {
    expected,
    check(value, path, issues) {
      const attempts: ConfigIssue[][] = [];
      let loadable: ConfigIssue[] | undefined;
      for (const alternative of alternatives) {
        const found: ConfigIssue[] = [];
        if (alternative.check(value, path, found)) {
          if (found.length === 0) return true;
          loadable ??= found;
        }
        attempts.push(found);
      }
      if (loadable) {
        issues.push(...loadable);
        return true;
      }
      // When an alternative got past the value's own type, its findings say more than a summary.
      const deeper = attempts.filter((found) => found.some((issue) => issue.path.length > path.length));
      if (deeper.length === 1) issues.push(...deeper[0]!);
      else issues.push({ path, message: `expected ${expected}, got ${describe(value)}` });
      return false;
    },
  };
}

/** Valid if every schema is valid (`v.All`); stops at the first that is not. */
export function all(...schemas: Schema[]): Schema {
  return {
    expected: schemas[0]?.expected ?? 'anything',
    check(value, path, issues) {
      for (const schema of schemas) if (!schema.check(value, path, issues)) return false;
      return true;
    },
  };
}

/** A mapping with free-form keys and checked values (`{str: value}`). */
export function mapOf(value: Schema, key: Schema = str): Schema {
  return {
    expected: `a mapping of ${value.expected.replace(/^an? /, '')}s`,
    check(data, path, issues) {
      if (!isMapping(data)) {
        issues.push({ path, message: `expected a mapping, got ${describe(data)}` });
        return false;
      }
      let ok = true;
      const nonString = nonStringKeysOf(data);
      for (const [name, item] of Object.entries(data)) {
        if (key === str && nonString?.has(name)) {
          issues.push({ path: [...path, name], message: `expected a string key, got ${name}` });
          ok = false;
          continue;
        }
        ok = key.check(name, [...path, name], issues) && ok;
        ok = value.check(item, [...path, name], issues) && ok;
      }
      return ok;
    },
  };
}

/** A key declaration inside `mapping({...})`. */
export interface KeySpec {
  schema: Schema;
  required?: boolean;
  /** Keys sharing an exclusion group may not appear together (`v.Exclusive`). */
  exclusive?: string;
  /**
   * A key the original's schema lacks although its loader reads it: `config-validate` rejects
   * it as unknown (`validatorOnly`), daemons read it.
   */
  loadOnly?: boolean;
}

/** Marks a key as required. */
export function required(schema: Schema): KeySpec {
  return { schema, required: true };
}

/** A key only the original's loader knows (see `KeySpec.loadOnly`). */
export function loadOnly(schema: Schema): KeySpec {
  return { schema, loadOnly: true };
}

/** Puts a key in an exclusion group: at most one key of the group may be given. */
export function exclusive(group: string, schema: Schema): KeySpec {
  return { schema, exclusive: group };
}

export interface MappingOptions {
  /**
   * `'allow'` lets undeclared keys through (voluptuous `extra=ALLOW_EXTRA` / `object: object`);
   * a schema lets them through when their value matches it (a `str: int` entry beside named keys).
   */
  extra?: 'allow' | 'reject' | Schema;
  /** At least one of these keys must be present, else `message` (voluptuous `Required(Any(...), msg)`). */
  requireOneOf?: { keys: readonly string[]; message: string }[];
}

export type MappingSchema = Schema & {
  readonly keys: Readonly<Record<string, KeySpec>>;
  readonly options: MappingOptions;
  /** A copy with more keys, later ones replacing earlier (voluptuous `Schema.extend`). */
  extend(keys: Record<string, Schema | KeySpec>, options?: MappingOptions): MappingSchema;
};

/** A mapping with declared keys: plain schemas are optional keys; see `required`, `exclusive`. */
export function mapping(keys: Record<string, Schema | KeySpec>, options: MappingOptions = {}): MappingSchema {
  const specs: Record<string, KeySpec> = Object.fromEntries(
    Object.entries(keys).map(([name, spec]) => [name, 'check' in spec ? { schema: spec } : spec]),
  );
  const schema: MappingSchema = {
    expected: 'a mapping',
    keys: specs,
    options,
    extend(more, moreOptions = {}) {
      return mapping({ ...specs, ...more }, {
        extra: moreOptions.extra ?? options.extra,
        requireOneOf: [...(options.requireOneOf ?? []), ...(moreOptions.requireOneOf ?? [])],
      });
    },
    check(value, path, issues) {
      if (!isMapping(value)) {
        issues.push({ path, message: `expected a mapping, got ${describe(value)}` });
        return false;
      }
      const before = issues.length;
      const groups = new Map<string, string[]>();
      for (const [name, item] of Object.entries(value)) {
        // Own keys only: `__proto__` or `constructor` in a file are unknown keys, not Object's.
        const spec = Object.hasOwn(specs, name) ? specs[name] : undefined;
        if (!spec || nonStringKeysOf(value)?.has(name)) {
          // A key that was a number or boolean in the YAML matches no declared (string) key.
          if (typeof options.extra === 'object' && !nonStringKeysOf(value)?.has(name)) options.extra.check(item, [...path, name], issues);
          else if (options.extra !== 'allow') issues.push({ path: [...path, name], message: 'unknown key (not allowed here)' });
          continue;
        }
        if (spec.loadOnly) {
          issues.push({ path: [...path, name], message: "unknown key (not allowed here; Nodepool 9.0.0's daemons read it nevertheless)", validatorOnly: true });
        }
        spec.schema.check(item, [...path, name], issues);
        if (spec.exclusive) groups.set(spec.exclusive, [...(groups.get(spec.exclusive) ?? []), name]);
      }
      for (const [name, spec] of Object.entries(specs)) {
        if (spec.required && !Object.hasOwn(value, name)) issues.push({ path: [...path, name], message: 'required key not provided' });
      }
      for (const names of groups.values()) {
        if (names.length > 1) {
          issues.push({ path: [...path, names[1]!], message: `cannot be combined with ${names.filter((n) => n !== names[1]).join(', ')}` });
        }
      }
      for (const rule of options.requireOneOf ?? []) {
        if (!rule.keys.some((key) => Object.hasOwn(value, key))) issues.push({ path, message: rule.message });
      }
      return !blocksLoading(issues.slice(before));
    },
  };
  return schema;
}
