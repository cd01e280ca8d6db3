/**
 * JSON as the original writes it. Python's json module may emit NaN, Infinity and -Infinity,
 * which JSON.parse rejects, so reads accept them; writes must never produce them.
 */

/** Thrown when znode data is not a JSON object we can use. */
export class RecordFormatError extends Error {
  override name = 'RecordFormatError';
}

const nonFiniteToken = /(?<![\w."])(-?Infinity|NaN)(?![\w"])/;

/**
 * Parses znode data. Returns undefined for empty data (a directory-like or "ensure path"
 * znode); throws RecordFormatError for anything that is not a JSON object.
 */
export function parseRecordJson(data: Uint8Array): Record<string, unknown> | undefined {
  if (data.length === 0) return undefined;
  const text = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8');
  if (text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    if (!nonFiniteToken.test(text)) throw new RecordFormatError(`not JSON: ${(error as Error).message}`);
    value = parsePythonJson(text);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new RecordFormatError('not a JSON object');
  }
  return value as Record<string, unknown>;
}

/**
 * Parses JSON that may hold Python's non-finite tokens outside strings, by turning them into
 * sentinel strings first and back into numbers after.
 */
function parsePythonJson(text: string): unknown {
  const sentinel = '\u0000nodepool-nonfinite:';
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (inString) {
      out += char;
      if (char === '\\') out += text[++i] ?? '';
      else if (char === '"') inString = false;
      continue;
    }
    if (char === '"') {
      inString = true;
      out += char;
      continue;
    }
    const token = /^(-?Infinity|NaN)/.exec(text.slice(i))?.[1];
    if (token) {
      out += JSON.stringify(sentinel + token);
      i += token.length - 1;
      continue;
    }
    out += char;
  }
  try {
    return JSON.parse(out, (_key, value: unknown) => {
      if (typeof value === 'string' && value.startsWith(sentinel)) {
        const token = value.slice(sentinel.length);
        return token === 'NaN' ? Number.NaN : token.startsWith('-') ? -Infinity : Infinity;
      }
      return value;
    });
  } catch (error) {
    throw new RecordFormatError(`not JSON: ${(error as Error).message}`);
  }
}

/**
 * Serialises a record. Non-finite numbers become null (the original's readers treat null as
 * "no value"), so we never write a token other JSON readers reject.
 */
export function stringifyRecordJson(record: Record<string, unknown>, options: { sortKeys?: boolean } = {}): Buffer {
  const text = JSON.stringify(record, (_key, value: unknown) => {
    if (typeof value === 'number' && !Number.isFinite(value)) return null;
    if (options.sortKeys && value !== null && typeof value === 'object' && !Array.isArray(value)) {
      return Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return value;
  });
  return Buffer.from(text, 'utf8');
}
