import { badRequest } from './k8s-status.js';

/** One requirement of a label selector (`app=web`, `tier in (a,b)`, `!legacy`). */
export interface LabelRequirement {
  readonly key: string;
  readonly operator: 'in' | 'notin' | 'exists' | 'doesnotexist' | 'gt' | 'lt';
  readonly values: readonly string[];
}

/** A parsed label selector: every requirement must hold. Empty selects everything. */
export type LabelSelector = readonly LabelRequirement[];

const KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/**
 * Parses `labelSelector` as the API server does: comma-separated requirements with `=`, `==`,
 * `!=`, `in (…)`, `notin (…)`, `key`, `!key`, `gt`/`lt`. A malformed one is a 400 BadRequest.
 */
export function parseLabelSelector(text: string | null): LabelSelector {
  if (text === null || text.trim() === '') return [];
  const requirements: LabelRequirement[] = [];
  for (const part of splitTopLevel(text)) {
    const requirement = parseRequirement(part.trim(), text);
    requirements.push(requirement);
  }
  return requirements;
}

/** Splits at commas outside parentheses. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (char === '(') depth++;
    else if (char === ')') depth--;
    else if (char === ',' && depth === 0) {
      parts.push(text.slice(start, index));
      start = index + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

function parseRequirement(part: string, whole: string): LabelRequirement {
  const fail = (why: string) => badRequest(`unable to parse requirement: ${why}`);
  if (part === '') throw fail(`found '', expected: identifier (in selector "${whole}")`);
  if (part.startsWith('!')) return requirement(part.slice(1).trim(), 'doesnotexist', [], fail);
  const set = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(part);
  if (set) {
    const values = set[3]!.split(',').map((value) => value.trim());
    return requirement(set[1]!, set[2] as 'in' | 'notin', values, fail);
  }
  const comparison = /^([^=!<>\s]+)\s*(==|=|!=|>|<)\s*(\S*)$/.exec(part);
  if (comparison) {
    const operator = comparison[2]!;
    const value = comparison[3]!;
    if (operator === '>' || operator === '<') {
      if (!/^-?\d+$/.test(value)) throw fail(`for 'gt', 'lt' operators, the value must be an integer`);
      return requirement(comparison[1]!, operator === '>' ? 'gt' : 'lt', [value], fail);
    }
    return requirement(comparison[1]!, operator === '!=' ? 'notin' : 'in', [value], fail);
  }
  if (/^\S+$/.test(part)) return requirement(part, 'exists', [], fail);
  const found = part.split(/\s+/)[1] ?? '';
  throw fail(`found '${found}', expected: in, notin, =, ==, !=, gt, lt`);
}

function requirement(key: string, operator: LabelRequirement['operator'], values: string[], fail: (why: string) => Error): LabelRequirement {
  if (!KEY.test(key) || key.length > 316) throw fail(`${JSON.stringify(key)}: invalid label key: name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`);
  for (const value of values) {
    if (value.length > 63 || !VALUE.test(value)) throw fail(`${JSON.stringify(value)}: invalid label value: a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`);
  }
  return { key, operator, values };
}

/** Whether `labels` satisfy every requirement. */
export function matchesLabels(selector: LabelSelector, labels: Readonly<Record<string, string>> | undefined): boolean {
  const own = labels ?? {};
  return selector.every(({ key, operator, values }) => {
    const has = Object.prototype.hasOwnProperty.call(own, key);
    const value = own[key];
    switch (operator) {
      case 'in':
        return has && values.includes(value!);
      case 'notin':
        return !has || !values.includes(value!);
      case 'exists':
        return has;
      case 'doesnotexist':
        return !has;
      case 'gt':
        return has && /^-?\d+$/.test(value!) && Number(value) > Number(values[0]);
      case 'lt':
        return has && /^-?\d+$/.test(value!) && Number(value) < Number(values[0]);
    }
  });
}
