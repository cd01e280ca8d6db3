import { SeededRandom } from './seeded-random.js';

/** A configuration file to throw at the launcher: what it is, and its bytes. */
export interface FuzzFile {
  name: string;
  data: string | Buffer;
}

/** Hand-made hostile files: resource-exhaustion tricks, odd YAML, wrong types, sheer size. */
export function hostileFiles(valid: string): FuzzFile[] {
  const laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let level = 1; level <= 9; level++) {
    const previous = String.fromCharCode(96 + level);
    laughs.push(`${String.fromCharCode(97 + level)}: &${String.fromCharCode(97 + level)} [${Array(9).fill(`*${previous}`).join(',')}]`);
  }
  const unknownKeys = (count: number): string => valid.replace(/^labels:/m, `${Array.from({ length: count }, (_, i) => `unknown-key-${i}: ${i}`).join('\n')}\nlabels:`);
  const poolKeys = (count: number): string =>
    valid.replace(/^(\s+)max-servers: (\d+)$/m, (line, indent: string) => `${line}\n${Array.from({ length: count }, (_, i) => `${indent}pool-key-${i}: ${i}`).join('\n')}`);
  const deepBlock = Array.from({ length: 3000 }, (_, depth) => `${' '.repeat(depth)}k${depth}:`).join('\n') + ' end\n';
  return [
    { name: 'alias bomb (billion laughs)', data: `${laughs.join('\n')}\n${valid}` },
    { name: 'alias bomb in a label', data: valid.replace(/^labels:\n/m, `labels:\n  - name: bomb\n    x: &x [${Array(50).fill('"lol"').join(',')}]\n    y: &y [${Array(50).fill('*x').join(',')}]\n    z: [${Array(50).fill('*y').join(',')}]\n`) },
    { name: 'mapping that merges itself', data: `a: &a\n  b: 1\n  <<: *a\n${valid}` },
    { name: 'self-merge as the whole document', data: `&a\n<<: *a\nlabels: []\n` },
    { name: 'sequence that contains itself', data: `a: &a [1, *a]\n${valid}` },
    { name: 'undefined alias', data: `${valid}\nextra: *nowhere\n` },
    { name: 'merge of a scalar', data: valid.replace(/^labels:/m, 'merged:\n  <<: 42\nlabels:') },
    { name: 'merge of a list of scalars', data: valid.replace(/^labels:/m, 'merged:\n  <<: [1, 2]\nlabels:') },
    { name: 'deep flow nesting (20,000)', data: `labels: ${'['.repeat(20_000)}${']'.repeat(20_000)}\n` },
    { name: 'deep flow mapping nesting (5,000)', data: `labels: ${'{a: '.repeat(5_000)}1${'}'.repeat(5_000)}\n` },
    { name: 'deep block nesting (3,000)', data: deepBlock },
    { name: 'huge key (1 MiB)', data: `${'k'.repeat(1 << 20)}: 1\n${valid}` },
    { name: 'huge scalar (4 MiB) as a label name', data: valid.replace(/^labels:\n  - name: \S+/m, `labels:\n  - name: ${'x'.repeat(4 << 20)}`) },
    { name: '10,000 unknown top-level keys', data: unknownKeys(10_000) },
    { name: '20,000 unknown top-level keys', data: unknownKeys(20_000) },
    { name: '10,000 unknown pool keys', data: poolKeys(10_000) },
    { name: 'duplicate keys', data: valid.replace(/^labels:/m, 'labels: []\nlabels:') },
    { name: 'python object tag', data: `${valid}\nevil: !!python/object/apply:os.system ["echo owned"]\n` },
    { name: 'unknown tags', data: valid.replace(/max-servers: (\d+)/, 'max-servers: !custom $1') },
    { name: 'binary tag as a name', data: valid.replace(/^labels:\n  - name: \S+/m, 'labels:\n  - name: !!binary aGVsbG8=') },
    { name: 'complex keys', data: `? [a, b]\n: c\n? {x: 1}\n: d\n${valid}` },
    { name: 'null and numeric keys', data: `~: x\n1: 2\n3.5: y\n${valid}` },
    { name: 'two documents', data: `${valid}\n---\n${valid}` },
    { name: 'empty file', data: '' },
    { name: 'only a comment', data: '# nothing here\n' },
    { name: 'only a document marker', data: '---\n' },
    { name: 'a scalar document', data: '42\n' },
    { name: 'a list document', data: '- a\n- b\n' },
    { name: 'tab indentation', data: valid.replace(/^ {2}/gm, '\t') },
    { name: 'NUL bytes', data: valid.replace('providers:', 'providers:\u0000\u0000') },
    { name: 'invalid UTF-8', data: Buffer.concat([Buffer.from(valid), Buffer.from([0xc3, 0x28, 0xff, 0xfe, 0x0a])]) },
    { name: 'byte-order marks inside', data: valid.replace('labels:', '\ufefflabels:\ufeff') },
    { name: 'random bytes (64 KiB)', data: randomBytes(new SeededRandom(99), 64 << 10) },
    { name: '2 MiB line', data: `${valid}# ${'#'.repeat(2 << 20)}\n` },
    { name: 'max-servers wrong types', data: valid.replace(/max-servers: \d+/, 'max-servers: [1, {a: b}]') },
    { name: 'max-servers of 1e309 and -1', data: valid.replace(/max-servers: \d+/, 'max-servers: 1e309').replace(/launch-retries: \d+/, 'launch-retries: -1') },
    { name: 'huge integer', data: valid.replace(/max-servers: \d+/, `max-servers: ${'9'.repeat(400)}`) },
    { name: 'port not a number', data: valid.replace(/port: \d+/, 'port: abc') },
    { name: 'providers as a string', data: valid.replace(/^providers:[\s\S]*$/m, 'providers: "sim"\n') },
    { name: 'pools as a mapping', data: valid.replace(/^(\s+)pools:\n/m, '$1pools: {name: main}\n$1ignored:\n') },
    { name: 'labels with null entries', data: valid.replace(/^labels:\n/m, 'labels:\n  - null\n  - ~\n  - 3\n') },
    { name: 'driver naming a path', data: valid.replace('driver: sim', 'driver: ../../../../etc/passwd') },
    { name: 'driver naming a builtin module', data: valid.replace('driver: sim', 'driver: child_process') },
    { name: 'prototype keys', data: `__proto__: {polluted: true}\nconstructor: {prototype: {polluted: true}}\n${valid}` },
  ];
}

/**
 * Mutations of a valid file, `count` of them from `seed`: bytes flipped, lines dropped,
 * doubled or re-indented, the file cut short, junk inserted.
 */
export function mutatedFiles(valid: string, count: number, seed: number): FuzzFile[] {
  const random = new SeededRandom(seed);
  const files: FuzzFile[] = [];
  for (let i = 0; i < count; i++) {
    const kind = random.pick(['byte flips', 'line dropped', 'line doubled', 'line re-indented', 'cut short', 'junk inserted'] as const);
    const lines = valid.split('\n');
    const line = random.int(lines.length);
    let data: string | Buffer;
    switch (kind) {
      case 'byte flips': {
        const bytes = Buffer.from(valid);
        const flips = 1 + random.int(4);
        for (let flip = 0; flip < flips; flip++) {
          const at = random.int(bytes.length);
          bytes[at] = bytes[at]! ^ (1 << random.int(8));
        }
        data = bytes;
        break;
      }
      case 'line dropped':
        data = lines.filter((_, index) => index !== line).join('\n');
        break;
      case 'line doubled':
        data = lines.flatMap((text, index) => (index === line ? [text, text] : [text])).join('\n');
        break;
      case 'line re-indented':
        data = lines.map((text, index) => (index === line ? `${' '.repeat(random.int(7))}${text.trimStart()}` : text)).join('\n');
        break;
      case 'cut short':
        data = valid.slice(0, random.int(valid.length));
        break;
      case 'junk inserted': {
        const at = random.int(valid.length);
        data = valid.slice(0, at) + random.pick(['&', '*', '!', '<<:', ': ', '- ', '{', '[', '"', "'", '|', '>', '%', '@', '`', '\t', '?']) + valid.slice(at);
        break;
      }
    }
    files.push({ name: `mutation ${i + 1} (${kind})`, data });
  }
  return files;
}

function randomBytes(random: SeededRandom, size: number): Buffer {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i++) bytes[i] = random.int(256);
  return bytes;
}
