import { badRequest } from './k8s-status.js';

/** One term of a field selector: `metadata.name=web`, `status.phase!=Running`. */
export interface FieldRequirement {
  readonly field: string;
  readonly equal: boolean;
  readonly value: string;
}

export type FieldSelector = readonly FieldRequirement[];

/**
 * Parses `fieldSelector` (`=`, `==`, `!=`, comma-separated) and checks its fields against those
 * the resource supports, as the API server does (400 for any other field).
 */
export function parseFieldSelector(text: string | null, supported: readonly string[]): FieldSelector {
  if (text === null || text.trim() === '') return [];
  return text.split(',').map((term) => {
    const match = /^\s*([^=!\s]+)\s*(==|=|!=)\s*(.*?)\s*$/.exec(term);
    if (!match) throw badRequest(`invalid selector: '${text}'; can't understand '${term}'`);
    const field = match[1]!;
    if (!supported.includes(field)) throw badRequest(`field label not supported: ${field}`);
    return { field, equal: match[2] !== '!=', value: match[3]! };
  });
}

/** Whether the object's fields (by dotted path; missing ones read as "") satisfy the selector. */
export function matchesFields(selector: FieldSelector, object: Record<string, unknown>): boolean {
  return selector.every(({ field, equal, value }) => (fieldValue(object, field) === value) === equal);
}

function fieldValue(object: Record<string, unknown>, path: string): string {
  let current: unknown = object;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object') return '';
    current = (current as Record<string, unknown>)[key];
  }
  return current === undefined || current === null ? '' : String(current);
}
