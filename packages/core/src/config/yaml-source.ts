import { readFile } from 'node:fs/promises';
import YAML, { isMap, isScalar, isSeq, LineCounter, type Document, type Node as YamlNode, type Pair, type YAMLMap } from 'yaml';
import type { ConfigPath } from './issues.js';
import { pyyamlTags } from './pyyaml-scalars.js';

/** Aliases a file may expand before it counts as an alias bomb (the `yaml` package's check). */
const MAX_ALIAS_COUNT = 1000;

/**
 * A parsed YAML configuration file that remembers where each value came from, so that every
 * problem can be reported as `file:line key.path: message`.
 */
export class YamlSource {
  private constructor(
    readonly file: string,
    readonly document: Document.Parsed,
    private readonly lines: LineCounter,
    /** The data, with integers as `bigint` and floats as `number`; undefined when unreadable. */
    readonly data: unknown,
    /** How many YAML documents the text held (PyYAML's safe_load refuses more than one). */
    readonly documentCount: number,
    /** Why the parsed document could not be turned into data (an alias bomb, a self-merge). */
    private readonly conversionError?: { line: number; message: string },
  ) {}

  private readonly pairIndex = new WeakMap<YAMLMap, Map<string, Pair>>();

  /** Reads a file, substitutes `%(NODEPOOL_…)` variables, and parses it as PyYAML would. */
  static async read(file: string, env: NodeJS.ProcessEnv = process.env): Promise<YamlSource> {
    const text = await readFile(file, 'utf8');
    return YamlSource.parse(file, substituteEnvironment(text, env));
  }

  static parse(file: string, text: string): YamlSource {
    const lines = new LineCounter();
    // All documents at once: PyYAML's safe_load refuses a stream of several (see `documentCount`).
    const documents = YAML.parseAllDocuments(text, {
      version: '1.1',
      // Integers stay distinguishable from floats (Python's `int` and `float` are distinct types).
      intAsBigInt: true,
      uniqueKeys: false,
      customTags: pyyamlTags,
      lineCounter: lines,
    });
    const all = Array.isArray(documents) ? documents : [];
    // An empty stream has no document; it reads as null, as PyYAML's does.
    const document = all[0] ?? new YAML.Document(null, { version: '1.1' });
    const parsed = document as Document.Parsed;
    if (parsed.errors.length > 0) return new YamlSource(file, parsed, lines, undefined, all.length);
    const unhashable = firstCollectionKey(parsed.contents);
    if (unhashable) {
      // PyYAML cannot make a dict key of a list or a mapping; neither can a JavaScript object.
      const line = unhashable.range ? lines.linePos(unhashable.range[0]).line : 1;
      return new YamlSource(file, parsed, lines, undefined, all.length, { line, message: `found unhashable key (a ${isMap(unhashable) ? 'mapping' : 'sequence'} used as a mapping key)` });
    }
    try {
      const data: unknown = parsed.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
      noteNonStringKeys(parsed.contents, data);
      return new YamlSource(file, parsed, lines, data, all.length);
    } catch (error) {
      // Hostile input: aliases that expand without bound, or a mapping merged into itself
      // (which recurses until the stack runs out). Either is a problem of the file, not a crash.
      const reason = error instanceof RangeError ? 'aliases refer to each other without end (for example a mapping merged into itself)' : (error as Error).message;
      return new YamlSource(file, parsed, lines, undefined, all.length, { line: 1, message: reason });
    }
  }

  /** Why the file cannot be read as YAML, each with its line: syntax errors, or unusable aliases. */
  get syntaxErrors(): { line: number; message: string }[] {
    const errors = this.document.errors.map((error) => ({
      line: error.linePos?.[0]?.line ?? 1,
      message: error.message.split('\n')[0] ?? error.message,
    }));
    if (this.conversionError) errors.push(this.conversionError);
    return errors;
  }

  /**
   * The line of the value at `path`, or of the nearest ancestor that exists (a missing key is
   * reported at the mapping that lacks it).
   */
  lineOf(path: ConfigPath): number {
    let node: YamlNode | null | undefined = this.document.contents as YamlNode | null;
    let line = node?.range ? this.lines.linePos(node.range[0]).line : 1;
    for (const segment of path) {
      if (isMap(node)) {
        const pair = this.pairsOf(node).get(String(segment));
        if (!pair) break;
        const keyNode = pair.key as YamlNode | null;
        node = pair.value as YamlNode | null;
        const range = node?.range ?? keyNode?.range;
        if (range) line = this.lines.linePos(range[0]).line;
      } else if (isSeq(node) && typeof segment === 'number') {
        node = node.items[segment] as YamlNode | null;
        if (node?.range) line = this.lines.linePos(node.range[0]).line;
      } else {
        break;
      }
    }
    return line;
  }

  /** A mapping's pairs by key, built once per mapping: a file with many problems stays linear. */
  private pairsOf(map: YAMLMap): Map<string, Pair> {
    let pairs = this.pairIndex.get(map);
    if (!pairs) {
      pairs = new Map();
      for (const item of map.items as Pair[]) {
        const key = isScalar(item.key) ? String(item.key.value) : String(item.key);
        // The first of duplicate keys, as a linear search would find.
        if (!pairs.has(key)) pairs.set(key, item);
      }
      this.pairIndex.set(map, pairs);
    }
    return pairs;
  }
}

/**
 * The first mapping key in the document that is a sequence or a mapping, walked without
 * recursion (a hostile file may nest deeply) and without following aliases.
 */
function firstCollectionKey(root: unknown): YamlNode | undefined {
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const node = pending.pop();
    if (isMap(node)) {
      for (const pair of node.items as Pair[]) {
        if (isMap(pair.key) || isSeq(pair.key)) return pair.key as YamlNode;
        pending.push(pair.value);
      }
    } else if (isSeq(node)) {
      pending.push(...node.items);
    }
  }
  return undefined;
}

/** Mappings of parsed data whose keys were not strings in the YAML (`{1: 2}`, `{true: x}`). */
const nonStringKeys = new WeakMap<object, Set<string>>();

/**
 * The keys of a mapping read from YAML that were not strings there (the data holds every key as
 * text). Python keeps them as numbers or booleans, and a schema asking for `str` keys refuses
 * them.
 */
export function nonStringKeysOf(mapping: object): ReadonlySet<string> | undefined {
  return nonStringKeys.get(mapping);
}

/** Walks the document beside the data it became, noting non-string keys (aliases are skipped). */
function noteNonStringKeys(node: unknown, data: unknown): void {
  if (isMap(node) && data !== null && typeof data === 'object' && !Array.isArray(data)) {
    for (const pair of node.items as Pair[]) {
      if (!isScalar(pair.key)) continue;
      const key = String(pair.key.value);
      if (typeof pair.key.value !== 'string') {
        let keys = nonStringKeys.get(data);
        if (!keys) nonStringKeys.set(data, (keys = new Set()));
        keys.add(key);
      }
      noteNonStringKeys(pair.value, (data as Record<string, unknown>)[key]);
    }
  } else if (isSeq(node) && Array.isArray(data)) {
    node.items.forEach((item, index) => noteNonStringKeys(item, data[index]));
  }
}

/**
 * `%(NODEPOOL_NAME)` → the value of that environment variable, for variables whose names start
 * with `NODEPOOL_`, as plain text over the whole file before parsing (as the original does).
 * Anything else, unknown names included, is left as written.
 */
export function substituteEnvironment(text: string, env: NodeJS.ProcessEnv): string {
  return text.replace(/%\((NODEPOOL_[^)]*)\)/g, (whole, name: string) => env[name] ?? whole);
}
