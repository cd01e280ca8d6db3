/**
 * Values printed the way the original (Python) prints them, so tables and JSON read the same as
 * before: `str()` for table cells, `repr()` inside containers, `json.dumps()` for JSON bodies.
 * JSON has one number type, so an integral float (`1.0`) prints as an integer here.
 */

/** Python's `str(value)`: `None`, `True`/`False`, strings as they are, containers as `repr`. */
export function pythonStr(value: unknown): string {
  if (typeof value === 'string') return value;
  return pythonRepr(value);
}

/** Python's `repr(value)` for JSON-like values (`{'key': 'value'}`, `[1, None]`). */
export function pythonRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') return pythonNumber(value);
  if (typeof value === 'string') return reprString(value);
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(', ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    return `{${entries.map(([key, item]) => `${reprString(key)}: ${pythonRepr(item)}`).join(', ')}}`;
  }
  return String(value);
}

/**
 * Python's `json.dumps(value)` with its defaults: `", "` and `": "` separators and every
 * non-ASCII character escaped as `\uXXXX`.
 */
export function pythonJsonDumps(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (value === true) return 'true';
  if (value === false) return 'false';
  if (typeof value === 'number') return Number.isFinite(value) ? pythonNumber(value) : 'null';
  if (typeof value === 'string') return asciiJsonString(value);
  if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(', ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, item]) => item !== undefined);
    return `{${entries.map(([key, item]) => `${asciiJsonString(key)}: ${pythonJsonDumps(item)}`).join(', ')}}`;
  }
  return 'null';
}

/** Numbers as Python prints them: exponents with at least two digits (`1e-07`, `1e+16`). */
function pythonNumber(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  return String(value).replace(/e([+-])(\d)$/, 'e$10$2');
}

/** Python's string repr: single quotes unless the text has a `'` and no `"`. */
function reprString(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (char === quote || char === '\\') out += `\\${char}`;
    else if (char === '\n') out += '\\n';
    else if (char === '\r') out += '\\r';
    else if (char === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += char;
  }
  return out + quote;
}

function asciiJsonString(text: string): string {
  return JSON.stringify(text).replace(/[\u007f-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
