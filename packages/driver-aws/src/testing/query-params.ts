import { AwsApiError, invalidValue, missingParameter } from './aws-api-error.js';

/** A form-encoded EC2 request, `Filter.1.Value.2=x` turned into nested objects. */
export type QueryTree = { [key: string]: string | QueryTree };

/**
 * Parses the body of an EC2 query request (`Action=…&Filter.1.Name=…`) into a tree: each `.`
 * opens a level, and list indexes stay keys (`{ Filter: { '1': { Name: … } } }`).
 */
export function parseQueryTree(body: string): QueryTree {
  const root: QueryTree = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const parts = key.split('.');
    let node = root;
    for (const part of parts.slice(0, -1)) {
      const next = node[part];
      if (next !== undefined && typeof next === 'object') {
        node = next;
      } else {
        const created: QueryTree = {};
        node[part] = created;
        node = created;
      }
    }
    node[parts[parts.length - 1]!] = value;
  }
  return root;
}

/**
 * Typed reads from a query tree, failing the way EC2 does: `MissingParameter` for a required
 * value left out, `InvalidParameterValue` for one that does not parse. `prefix` is the dotted
 * path of this level, for messages.
 */
export class QueryParams {
  constructor(
    readonly tree: QueryTree,
    private readonly prefix = '',
  ) {}

  private path(name: string): string {
    return this.prefix ? `${this.prefix}.${name}` : name;
  }

  has(name: string): boolean {
    return this.tree[name] !== undefined;
  }

  string(name: string): string | undefined {
    const value = this.tree[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw invalidValue(this.path(name), '[structure]', 'A single value was expected');
    return value;
  }

  requireString(name: string): string {
    const value = this.string(name);
    if (value === undefined || value === '') throw missingParameter(this.path(name));
    return value;
  }

  int(name: string, range: { min?: number; max?: number } = {}): number | undefined {
    const text = this.string(name);
    if (text === undefined) return undefined;
    const value = Number(text);
    if (text.trim() === '' || !Number.isInteger(value)) throw invalidValue(this.path(name), text, 'An integer was expected');
    if ((range.min !== undefined && value < range.min) || (range.max !== undefined && value > range.max)) {
      throw invalidValue(this.path(name), text, `It must be between ${range.min ?? '-∞'} and ${range.max ?? '∞'}`);
    }
    return value;
  }

  bool(name: string): boolean | undefined {
    const text = this.string(name);
    if (text === undefined) return undefined;
    if (text === 'true') return true;
    if (text === 'false') return false;
    throw invalidValue(this.path(name), text, 'Expected true or false');
  }

  /** One of `allowed`, compared as EC2 does for enums (exactly). */
  oneOf<T extends string>(name: string, allowed: readonly T[]): T | undefined {
    const text = this.string(name);
    if (text === undefined) return undefined;
    if (!(allowed as readonly string[]).includes(text)) throw invalidValue(this.path(name), text, `Valid values: ${allowed.join(', ')}`);
    return text as T;
  }

  struct(name: string): QueryParams | undefined {
    const value = this.tree[name];
    if (value === undefined) return undefined;
    if (typeof value === 'string') throw invalidValue(this.path(name), value, 'A structure was expected');
    return new QueryParams(value, this.path(name));
  }

  /** The members of list `name` (`Name.1`, `Name.2`, …) in index order, as raw values. */
  private members(name: string): [string, string | QueryTree][] {
    const value = this.tree[name];
    if (value === undefined) return [];
    if (typeof value === 'string') throw invalidValue(this.path(name), value, `Lists are sent as ${this.path(name)}.N`);
    const entries = Object.entries(value);
    for (const [index] of entries) {
      if (!/^[1-9]\d*$/.test(index)) throw new AwsApiError('InvalidParameter', `The parameter ${this.path(`${name}.${index}`)} is not recognized`);
    }
    return entries.sort(([a], [b]) => Number(a) - Number(b));
  }

  /** A list of plain values (`InstanceId.1`, `InstanceId.2`, …). */
  strings(name: string): string[] {
    return this.members(name).map(([index, value]) => {
      if (typeof value !== 'string') throw invalidValue(this.path(`${name}.${index}`), '[structure]', 'A single value was expected');
      return value;
    });
  }

  /** A list of structures (`TagSpecification.1.ResourceType`, …). */
  structs(name: string): QueryParams[] {
    return this.members(name).map(([index, value]) => {
      if (typeof value === 'string') throw invalidValue(this.path(`${name}.${index}`), value, 'A structure was expected');
      return new QueryParams(value, this.path(`${name}.${index}`));
    });
  }
}
