import { readFile } from 'node:fs/promises';
import { validateConfig, type ConfigValidation } from '../config/load-config.js';
import { formatPath, type ConfigPath } from '../config/issues.js';
import { DriverRegistry } from '../discovery/driver-registry.js';
import type { Driver } from '../driver/driver.js';

/**
 * The values each key is set to, in the order of a corpus line's `verdicts` string. Must match
 * `tools/original-verdicts/generate.py`.
 */
export const VERDICT_VALUES: readonly unknown[] = ['x', '', '1', 1, 0, -1, 1.5, true, false, null, ['x'], [1], [], { k: 'v' }, { k: 1 }, {}, [{ name: 'x' }]];

/**
 * One line of a verdict corpus (`tools/original-verdicts`): a base configuration the original
 * accepts, then changes to it with Nodepool 9.0.0's own `config-validate` verdict (0 valid,
 * 1 invalid).
 */
type CorpusLine =
  | { base: Record<string, unknown> }
  | { at: ConfigPath; delete: string; verdict: number }
  | { at: ConfigPath; set: string; verdicts: string }
  | { at: ConfigPath; unknown: string[] };

/** Where our verdict differs from the original's, in words. */
export interface VerdictDifference {
  /** `providers[0].pools[0].labels[0].volume-size = 1.5`, or `… deleted`. */
  readonly change: string;
  readonly original: 'valid' | 'invalid';
  readonly ours: 'valid' | 'invalid';
  /** What we reported, if anything. */
  readonly problems: readonly string[];
}

function at(data: unknown, path: ConfigPath): Record<string, unknown> {
  return path.reduce<unknown>((node, segment) => (node as Record<string | number, unknown>)[segment], data) as Record<string, unknown>;
}

/**
 * Replays a verdict corpus through our validator with the given drivers and returns every case
 * where our verdict (exit code) differs from the original's. Configurations are handed over as
 * JSON text (a YAML subset both readers agree on), without touching the disk.
 */
export async function compareWithOriginalVerdicts(corpusFile: string, drivers: readonly Driver[]): Promise<VerdictDifference[]> {
  const resolver = DriverRegistry.of(...drivers);
  const validate = (data: unknown): Promise<ConfigValidation> => {
    const text = JSON.stringify(data, null, 1);
    return validateConfig('nodepool.yaml', { drivers: resolver, env: {}, readText: async () => text });
  };
  const differences: VerdictDifference[] = [];
  const record = (change: string, original: number, result: ConfigValidation) => {
    const ours = result.errors.length > 0 ? 1 : 0;
    if (ours !== original) {
      differences.push({
        change,
        original: original === 0 ? 'valid' : 'invalid',
        ours: ours === 0 ? 'valid' : 'invalid',
        problems: result.errors.map((issue) => `${formatPath(issue.path)}: ${issue.message}`),
      });
    }
  };

  let base: Record<string, unknown> | undefined;
  for (const line of (await readFile(corpusFile, 'utf8')).split('\n')) {
    if (!line) continue;
    const entry = JSON.parse(line) as CorpusLine;
    if ('base' in entry) {
      base = entry.base;
      record('(the base configuration)', 0, await validate(base));
      continue;
    }
    const where = formatPath(entry.at);
    const key = (name: string) => (where ? `${where}.${name}` : name);
    if ('delete' in entry) {
      const data = structuredClone(base);
      delete at(data, entry.at)[entry.delete];
      record(`${key(entry.delete)} deleted`, entry.verdict, await validate(data));
    } else if ('set' in entry) {
      for (const [index, verdict] of [...entry.verdicts].entries()) {
        const data = structuredClone(base);
        at(data, entry.at)[entry.set] = VERDICT_VALUES[index];
        record(`${key(entry.set)} = ${JSON.stringify(VERDICT_VALUES[index])}`, Number(verdict), await validate(data));
      }
    } else {
      // Keys the original refuses here whatever their value: all set at once, each must come
      // back as an unknown key; one that does not (a key of ours) is tried alone with every value.
      const data = structuredClone(base);
      for (const name of entry.unknown) at(data, entry.at)[name] = 'x';
      const result = await validate(data);
      const refused = new Set(result.errors.filter((issue) => issue.message.startsWith('unknown key')).map((issue) => formatPath(issue.path)));
      for (const name of entry.unknown.filter((candidate) => !refused.has(key(candidate)))) {
        for (const value of VERDICT_VALUES) {
          const single = structuredClone(base);
          at(single, entry.at)[name] = value;
          record(`${key(name)} = ${JSON.stringify(value)}`, 1, await validate(single));
        }
      }
    }
  }
  return differences;
}
