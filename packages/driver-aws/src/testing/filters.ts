import { AwsApiError, invalidValue } from './aws-api-error.js';
import type { QueryParams } from './query-params.js';

/** One `Filter.N` of a Describe call. */
export interface Ec2Filter {
  readonly name: string;
  readonly values: readonly string[];
}

/** The values a resource has for one filter name; a filter matches if any of them matches. */
export type FilterValue = string | number | boolean | null | undefined | readonly (string | number | boolean | null | undefined)[];

/** Filter name → how to read it from a resource. Tag filters (`tag:K`, `tag-key`, `tag-value`) come for free. */
export type FilterFields<T> = Readonly<Record<string, (item: T) => FilterValue>>;

/** Reads `Filter.N.Name` / `Filter.N.Value.M` (the list name differs in a few calls). */
export function readFilters(params: QueryParams, listName = 'Filter'): Ec2Filter[] {
  return params.structs(listName).map((filter) => ({ name: filter.requireString('Name'), values: filter.strings('Value') }));
}

const patterns = new Map<string, RegExp>();

/** EC2 filter values allow `*` (any run) and `?` (one character); `\` escapes them. */
function matches(pattern: string, value: string): boolean {
  if (!/[*?]/.test(pattern)) return pattern === value;
  let regex = patterns.get(pattern);
  if (!regex) {
    let source = '';
    for (let i = 0; i < pattern.length; i++) {
      const char = pattern[i]!;
      if (char === '\\' && i + 1 < pattern.length) source += escapeRegex(pattern[++i]!);
      else if (char === '*') source += '[\\s\\S]*';
      else if (char === '?') source += '[\\s\\S]';
      else source += escapeRegex(char);
    }
    regex = new RegExp(`^${source}$`);
    patterns.set(pattern, regex);
  }
  return regex.test(value);
}

const escapeRegex = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The items every filter matches (filters AND, values OR), as EC2 applies them. An unknown
 * filter name fails the call with `InvalidParameterValue`, as EC2 does, so a typo is not a
 * silent "no match".
 */
export function applyFilters<T>(items: readonly T[], filters: readonly Ec2Filter[], fields: FilterFields<T>, tags: (item: T) => ReadonlyMap<string, string>): T[] {
  const readers = filters.map((filter) => {
    if (filter.values.length === 0) throw new AwsApiError('InvalidParameterValue', `The filter '${filter.name}' requires at least one value`);
    if (filter.name.startsWith('tag:')) {
      const key = filter.name.slice(4);
      return (item: T): FilterValue => tags(item).get(key);
    }
    if (filter.name === 'tag-key') return (item: T): FilterValue => [...tags(item).keys()];
    if (filter.name === 'tag-value') return (item: T): FilterValue => [...tags(item).values()];
    const reader = fields[filter.name];
    if (!reader) throw new AwsApiError('InvalidParameterValue', `The filter '${filter.name}' is invalid`);
    return reader;
  });
  return items.filter((item) =>
    filters.every((filter, index) => {
      const raw = readers[index]!(item);
      const values = (Array.isArray(raw) ? raw : [raw]).filter((value) => value !== null && value !== undefined).map(String);
      return values.some((value) => filter.values.some((pattern) => matches(pattern, value)));
    }),
  );
}

/**
 * One page of `items` after `NextToken` (an opaque offset bound to the action), at most
 * `MaxResults` long, and the token of the next page if there is one.
 */
export function paginate<T>(items: readonly T[], params: QueryParams, action: string, limits: { min: number; max: number }): { page: T[]; nextToken: string | undefined } {
  const maxResults = params.int('MaxResults');
  if (maxResults !== undefined && (maxResults < limits.min || maxResults > limits.max)) {
    throw invalidValue('MaxResults', maxResults, `Value must be between ${limits.min} and ${limits.max}`);
  }
  const token = params.string('NextToken');
  let offset = 0;
  if (token !== undefined && token !== '') {
    try {
      const decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { a?: unknown; o?: unknown };
      if (decoded.a !== action || typeof decoded.o !== 'number' || !Number.isInteger(decoded.o) || decoded.o < 0) throw new Error('bad token');
      offset = decoded.o;
    } catch {
      throw new AwsApiError('InvalidPaginationToken', `The token '${token}' is invalid.`);
    }
  }
  // Without MaxResults EC2 answers with everything in one page.
  const size = maxResults ?? Number.POSITIVE_INFINITY;
  const page = items.slice(offset, offset + size);
  const next = offset + size;
  return { page, nextToken: next < items.length ? Buffer.from(JSON.stringify({ a: action, o: next })).toString('base64url') : undefined };
}
