import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { main, type MainOptions } from '@nodepool/cli';

/** Runs `nodepool …` in-process and captures what it prints. */
export async function nodepool(...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (line) => out.push(line), err: (line) => err.push(line) });
  return { code, out, err };
}

/**
 * Runs `nodepool …` in-process with replaced parts (drivers, clock) and the lines typed at its
 * prompts; captures what it prints, each printed text split into lines.
 */
export async function nodepoolWith(options: MainOptions & { answers?: string[] }, ...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const answers = [...(options.answers ?? [])];
  const code = await main(
    argv,
    {
      out: (text) => out.push(...text.split('\n')),
      err: (text) => err.push(...text.split('\n')),
      ask: async (question) => {
        out.push(question);
        return answers.shift() ?? '';
      },
    },
    options,
  );
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
