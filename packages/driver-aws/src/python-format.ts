import { pythonRepr, pythonStr } from '@nodepool/core';

/** A template `str.format` would reject, or a field it could not look up. */
export class PythonFormatError extends Error {
  override readonly name = 'PythonFormatError';
}

/**
 * Python's `template.format(**names)` for the part of the format language Nodepool's templates
 * use: `{{` and `}}`, fields `name`, `name.attribute` and `name[key]` (a key of digits is an
 * index), chained, and the conversions `!s` and `!r`. A format spec (`{x:>10}`) is not
 * supported and throws, as does a missing name, attribute or key (Python's KeyError,
 * AttributeError, IndexError).
 */
export function pythonFormat(template: string, names: Readonly<Record<string, unknown>>): string {
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const char = template[i]!;
    if (char === '}') {
      if (template[i + 1] !== '}') throw new PythonFormatError("Single '}' encountered in format string");
      out += '}';
      i++;
      continue;
    }
    if (char !== '{') {
      out += char;
      continue;
    }
    if (template[i + 1] === '{') {
      out += '{';
      i++;
      continue;
    }
    const end = template.indexOf('}', i);
    if (end < 0) throw new PythonFormatError("Single '{' encountered in format string");
    out += renderField(template.slice(i + 1, end), names);
    i = end;
  }
  return out;
}

function renderField(field: string, names: Readonly<Record<string, unknown>>): string {
  if (field.includes(':')) throw new PythonFormatError(`format specs are not supported: {${field}}`);
  const [path = '', conversion] = field.split('!');
  const value = lookUp(path, names);
  if (conversion === undefined || conversion === 's') return pythonStr(value);
  if (conversion === 'r' || conversion === 'a') return pythonRepr(value);
  throw new PythonFormatError(`Unknown conversion specifier ${conversion}`);
}

function lookUp(path: string, names: Readonly<Record<string, unknown>>): unknown {
  const head = /^[^.[]*/.exec(path)![0];
  if (head === '' || /^\d+$/.test(head)) throw new PythonFormatError(`positional fields are not supported: {${path}}`);
  if (!Object.hasOwn(names, head)) throw new PythonFormatError(`KeyError: '${head}'`);
  let value: unknown = names[head];
  let rest = path.slice(head.length);
  // The names are objects with attributes (Nodepool's `Attributes`); what they hold are plain
  // dicts and lists, which have items but no such attributes.
  let depth = 0;
  for (; rest !== ''; depth++) {
    const attribute = /^\.([^.[]+)/.exec(rest);
    const item = /^\[([^\]]+)\]/.exec(rest);
    if (attribute) {
      if (depth > 0) throw new PythonFormatError(`AttributeError: '${attribute[1]!}'`);
      value = member(value, attribute[1]!, 'AttributeError');
      rest = rest.slice(attribute[0].length);
    } else if (item) {
      const key = item[1]!;
      value = /^\d+$/.test(key) && Array.isArray(value) ? index(value, Number(key)) : member(value, key, 'KeyError');
      rest = rest.slice(item[0].length);
    } else {
      throw new PythonFormatError(`Only '.' or '[' may follow ']' in format field specifier: {${path}}`);
    }
  }
  return value;
}

function member(value: unknown, key: string, kind: string): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || !Object.hasOwn(value, key)) {
    throw new PythonFormatError(`${kind}: '${key}'`);
  }
  return (value as Record<string, unknown>)[key];
}

function index(list: readonly unknown[], position: number): unknown {
  if (position >= list.length) throw new PythonFormatError('IndexError: list index out of range');
  return list[position];
}
