import { readFile } from 'node:fs/promises';
import type { Driver } from '../driver/driver.js';
import { validateConfigText } from './validate-config-text.js';

/** The YAML blocks of a Markdown file under `heading`, up to the next heading of its level. */
export async function yamlExamplesUnder(file: URL, heading: string): Promise<string[]> {
  const text = await readFile(file, 'utf8');
  const start = text.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`no "${heading}" in ${file.pathname}`);
  const level = /^#+/.exec(heading)![0];
  const rest = text.slice(start + heading.length + 2);
  const end = rest.search(new RegExp(`\\n${level} `));
  const section = end < 0 ? rest : rest.slice(0, end);
  return [...section.matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => match[1]!);
}

/**
 * The problems `config-validate` finds in each configuration example (a YAML block with
 * `providers:`) under `heading` of a Markdown file, given a ZooKeeper server; an example
 * that validates but does not load counts as a problem too. Throws when the section holds
 * no example, so a renamed heading cannot pass unnoticed.
 */
export async function problemsOfDocumentedExamples(
  file: URL,
  heading: string,
  drivers: readonly Driver[],
): Promise<{ example: string; messages: string[] }[]> {
  const examples = (await yamlExamplesUnder(file, heading)).filter((block) => block.includes('providers:'));
  if (examples.length === 0) throw new Error(`no configuration example under "${heading}" in ${file.pathname}`);
  const problems: { example: string; messages: string[] }[] = [];
  for (const example of examples) {
    const result = await validateConfigText(`zookeeper-servers:\n  - host: zk.example.com\n${example}`, drivers);
    const messages = result.config ? result.messages : [...result.messages, 'the example does not load'];
    if (messages.length > 0) problems.push({ example, messages });
  }
  return problems;
}
