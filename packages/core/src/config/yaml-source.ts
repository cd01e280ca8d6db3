import { readFile } from 'node:fs/promises';
import YAML, { isMap, isScalar, isSeq, LineCounter, type Document, type Node as YamlNode, type Tags } from 'yaml';
import type { ConfigPath } from './issues.js';

/**
 * A parsed YAML configuration file that remembers where each value came from, so that every
 * problem can be reported as `file:line key.path: message`.
 */
export class YamlSource {
  private constructor(
    readonly file: string,
    readonly document: Document.Parsed,
    private readonly lines: LineCounter,
    /** The data, with integers as `bigint` and floats as `number` (see `parseYaml`). */
    readonly data: unknown,
  ) {}

  /** Reads a file, substitutes `%(NODEPOOL_…)` variables, and parses it as PyYAML would. */
  static async read(file: string, env: NodeJS.ProcessEnv = process.env): Promise<YamlSource> {
    const text = await readFile(file, 'utf8');
    return YamlSource.parse(file, substituteEnvironment(text, env));
  }

  static parse(file: string, text: string): YamlSource {
    const lines = new LineCounter();
    const document = YAML.parseDocument(text, {
      version: '1.1',
      // Integers stay distinguishable from floats (Python's `int` and `float` are distinct types).
      intAsBigInt: true,
      uniqueKeys: false,
      customTags: pyyamlTags,
      lineCounter: lines,
    });
    const data = document.errors.length === 0 ? document.toJS({ maxAliasCount: 1000 }) : undefined;
    return new YamlSource(file, document, lines, data);
  }

  /** YAML syntax errors, each with its line. */
  get syntaxErrors(): { line: number; message: string }[] {
    return this.document.errors.map((error) => ({
      line: error.linePos?.[0]?.line ?? 1,
      message: error.message.split('\n')[0] ?? error.message,
    }));
  }

  /** Whether the file held more than one YAML document (PyYAML's safe_load refuses that). */
  static documentCount(text: string): number {
    return YAML.parseAllDocuments(text).length;
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
        const pair = node.items.find((item) => (isScalar(item.key) ? String(item.key.value) : String(item.key)) === String(segment));
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
}

/**
 * `%(NODEPOOL_NAME)` → the value of that environment variable, for variables whose names start
 * with `NODEPOOL_`, as plain text over the whole file before parsing (as the original does).
 * Anything else, unknown names included, is left as written.
 */
export function substituteEnvironment(text: string, env: NodeJS.ProcessEnv): string {
  return text.replace(/%\((NODEPOOL_[^)]*)\)/g, (whole, name: string) => env[name] ?? whole);
}

// PyYAML's YAML 1.1 resolvers, where the `yaml` package's 1.1 schema is more generous:
// y/n are strings, decimal integers have no leading zero, and floats need a dot (and a signed
// exponent), so `1e3` stays a string.
const pyyamlTests: Record<string, RegExp> = {
  'bool:true': /^(?:[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/,
  'bool:false': /^(?:[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/,
  'int:': /^[-+]?(?:0|[1-9][0-9_]*)$/,
  'float:EXP': /^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*[eE][-+][0-9]+$/,
};

function pyyamlTags(tags: Tags): Tags {
  return tags.map((tag) => {
    if (typeof tag !== 'object' || !('test' in tag) || !tag.test) return tag;
    const kind = tag.tag.replace('tag:yaml.org,2002:', '');
    const key = kind === 'bool' ? `bool:${String(tag.default === true && tag.test.test('true'))}` : `${kind}:${tag.format ?? ''}`;
    const test = pyyamlTests[key];
    return test ? { ...tag, test } : tag;
  });
}
