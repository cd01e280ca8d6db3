/**
 * Plain-scalar resolution exactly as PyYAML's `safe_load` does it (YAML 1.1 as PyYAML reads it,
 * which differs from the YAML 1.1 spec and from the `yaml` package's 1.1 schema in details that
 * change verdicts: `.` and `+.5` are strings, `y`/`n` are strings, `1e3` is a string but
 * `1.0e+3` a float, `2002-1-5` is a string, `0_` is the integer 0, a lone `=` is an error).
 *
 * Integers become `bigint` and floats `number`, so that Python's `int` and `float` stay
 * distinguishable for the schema checks.
 */
import type { ScalarTag, Tags } from 'yaml';

const BOOL_TRUE = /^(?:yes|Yes|YES|true|True|TRUE|on|On|ON)$/;
const BOOL_FALSE = /^(?:no|No|NO|false|False|FALSE|off|Off|OFF)$/;
const FLOAT =
  /^(?:[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const INT = /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/;
const DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;
const DATE_TIME =
  /^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:[Tt]|[ \t]+)([0-9]{1,2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]*))?(?:[ \t]*(Z|([-+])([0-9]{1,2})(?::([0-9]{2}))?))?$/;
/** PyYAML resolves a lone `=` to the YAML 1.1 "value" type, which safe_load cannot construct. */
const VALUE = /^=$/;

/** Splits off a sign, as PyYAML's int and float constructors do. */
function signed(text: string): { negative: boolean; digits: string } {
  const clean = text.replaceAll('_', '');
  const negative = clean.startsWith('-');
  return { negative, digits: /^[-+]/.test(clean) ? clean.slice(1) : clean };
}

function resolveInt(text: string, onError: (message: string) => void): bigint {
  const { negative, digits } = signed(text);
  const sign = negative ? -1n : 1n;
  try {
    if (digits === '0') return 0n;
    if (digits.startsWith('0b')) return sign * BigInt(`0b${digits.slice(2)}`);
    if (digits.startsWith('0x')) return sign * BigInt(`0x${digits.slice(2)}`);
    if (digits.startsWith('0')) return sign * BigInt(`0o${digits.slice(1)}`);
    if (digits.includes(':')) return sign * digits.split(':').reduce((total, part) => total * 60n + BigInt(part), 0n);
    return sign * BigInt(digits);
  } catch {
    onError(`invalid integer ${JSON.stringify(text)}`);
    return 0n;
  }
}

function resolveFloat(text: string): number {
  const { negative, digits } = signed(text.toLowerCase());
  const sign = negative ? -1 : 1;
  if (digits === '.inf') return sign * Infinity;
  if (digits === '.nan') return NaN;
  if (digits.includes(':')) return sign * digits.split(':').reduce((total, part) => total * 60 + Number(part), 0);
  return sign * Number(digits);
}

function resolveTimestamp(text: string): Date {
  const date = DATE.exec(text);
  if (date) return new Date(Date.UTC(Number(date[1]), Number(date[2]) - 1, Number(date[3])));
  const [, year, month, day, hour, minute, second, fraction, zone, zoneSign, zoneHours, zoneMinutes] = DATE_TIME.exec(text)!;
  const millis = Math.floor(Number(`0.${fraction ?? '0'}`) * 1000);
  let utc = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second), millis);
  if (zone && zone !== 'Z') {
    const offset = (Number(zoneHours) * 60 + Number(zoneMinutes ?? 0)) * 60_000;
    utc += zoneSign === '-' ? offset : -offset;
  }
  return new Date(utc);
}

const isNumber = (value: unknown) => typeof value === 'number';
const isInteger = (value: unknown) => typeof value === 'bigint';

/** PyYAML's implicit resolvers for booleans, numbers, timestamps and `=`, in its order. */
const pyyamlScalarTags: ScalarTag[] = [
  { tag: 'tag:yaml.org,2002:bool', default: true, test: BOOL_TRUE, resolve: () => true, identify: (value) => value === true },
  { tag: 'tag:yaml.org,2002:bool', default: true, test: BOOL_FALSE, resolve: () => false, identify: (value) => value === false },
  { tag: 'tag:yaml.org,2002:float', default: true, test: FLOAT, resolve: resolveFloat, identify: isNumber },
  { tag: 'tag:yaml.org,2002:int', default: true, test: INT, resolve: (text, onError) => resolveInt(text, onError), identify: isInteger },
  {
    tag: 'tag:yaml.org,2002:timestamp',
    default: true,
    test: new RegExp(`${DATE.source}|${DATE_TIME.source}`),
    resolve: resolveTimestamp,
    identify: (value) => value instanceof Date,
  },
  {
    tag: 'tag:yaml.org,2002:value',
    default: true,
    test: VALUE,
    resolve: (_text, onError) => {
      onError('a lone "=" cannot be read (PyYAML: could not determine a constructor for the tag tag:yaml.org,2002:value)');
      return '=';
    },
  },
];

const REPLACED = new Set(['bool', 'int', 'float', 'timestamp'].map((kind) => `tag:yaml.org,2002:${kind}`));

/**
 * The `yaml` package's YAML 1.1 tags with its implicit boolean, number and timestamp resolvers
 * replaced by PyYAML's (explicitly tagged values such as `!!int "3"` are read by them too).
 */
export function pyyamlTags(tags: Tags): Tags {
  const kept = tags.filter((tag) => !(typeof tag === 'object' && REPLACED.has(tag.tag) && 'test' in tag && tag.test));
  return [...pyyamlScalarTags, ...kept];
}
