import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { main } from '@nodepool/cli';

/** Runs `nodepool …` in-process and captures what it prints. */
export async function nodepool(...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (line) => out.push(line), err: (line) => err.push(line) });
  return { code, out, err };
}

/** Writes files into a fresh directory; returns their paths. */
export async function files(t: ExecutionContext, contents: Record<string, string>): Promise<Record<string, string>> {
  const dir = await mkdtemp(join(tmpdir(), 'nodepool-cli-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const paths: Record<string, string> = {};
  for (const [name, text] of Object.entries(contents)) {
    paths[name] = join(dir, name);
    await writeFile(paths[name], text);
  }
  return paths;
}
