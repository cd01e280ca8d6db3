/**
 * The configuration examples of the documentation validate with this driver, and load.
 */
import test from 'ava';
import { readFile } from 'node:fs/promises';
import { validateConfigText } from '@nodepool/core/testing';
import ibmVpcDriver from '@nodepool/driver-ibmvpc';

/** The YAML blocks of a Markdown file after `heading`, up to the next heading of its level. */
async function yamlBlocks(file: URL, heading: string): Promise<string[]> {
  const text = await readFile(file, 'utf8');
  const start = text.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`no "${heading}" in ${file.pathname}`);
  const level = /^#+/.exec(heading)![0];
  const rest = text.slice(start + heading.length + 2);
  const end = rest.search(new RegExp(`\\n${level} `));
  const section = end < 0 ? rest : rest.slice(0, end);
  return [...section.matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => match[1]!);
}

for (const [file, heading] of [
  [new URL('../../../README.md', import.meta.url), '### IBM VPC'],
  [new URL('../README.md', import.meta.url), '## Example provider'],
] as const) {
  test(`the examples under "${heading}" of ${file.pathname.split('/').slice(-2).join('/')} are valid and load`, async (t) => {
    const blocks = (await yamlBlocks(file, heading)).filter((block) => block.includes('providers:'));
    t.true(blocks.length > 0);
    for (const block of blocks) {
      const result = await validateConfigText(`zookeeper-servers:\n  - host: zk.example.com\n${block}`, [ibmVpcDriver]);
      t.deepEqual(result.messages, [], block);
      t.truthy(result.config);
    }
  });
}
