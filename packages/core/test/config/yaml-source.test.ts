import test from 'ava';
import { YamlSource } from '../../src/config/yaml-source.js';

/**
 * What PyYAML 6's `safe_load` makes of each plain scalar (recorded by running it on `k: <scalar>`):
 * the table the original validator's verdicts rest on.
 */
const pyyaml: [scalar: string, expected: unknown][] = [
  ['.nan', NaN],
  ['.NaN', NaN],
  ['.NAN', NaN],
  ['-.nan', '-.nan'],
  ['.inf', Infinity],
  ['+.inf', Infinity],
  ['-.inf', -Infinity],
  ['-.Inf', -Infinity],
  ['.INF', Infinity],
  ['.', '.'],
  ['..', '..'],
  ['.5', 0.5],
  ['+.5', '+.5'],
  ['-.5', '-.5'],
  ['1.', 1.0],
  ['1.5', 1.5],
  ['1_000', 1000n],
  ['1_000.5', 1000.5],
  ['0b1', 1n],
  ['0b1_0', 2n],
  ['-0b11', -3n],
  ['0x1F', 31n],
  ['-0x1f', -31n],
  ['0x_1', 1n],
  ['017', 15n],
  ['08', '08'],
  ['0_', 0n],
  ['0', 0n],
  ['-0', 0n],
  ['+1', 1n],
  ['1:20', 80n],
  ['1:20:30', 4830n],
  ['1:2:3', 3723n],
  ['12:60', '12:60'],
  ['1:20.5', 80.5],
  ['-1:20', -80n],
  ['1e3', '1e3'],
  ['1.0e3', '1.0e3'],
  ['1.0e+3', 1000.0],
  ['1.0E-3', 0.001],
  ['.5e+3', 500.0],
  ['~', null],
  ['null', null],
  ['Null', null],
  ['NULL', null],
  ['nUll', 'nUll'],
  ['', null],
  ['Off', false],
  ['off', false],
  ['OFF', false],
  ['oFF', 'oFF'],
  ['On', true],
  ['y', 'y'],
  ['Y', 'Y'],
  ['n', 'n'],
  ['N', 'N'],
  ['yes', true],
  ['YES', true],
  ['No', false],
  ['TRUE', true],
  ['tRUE', 'tRUE'],
  ['1_', 1n],
  ['_1', '_1'],
  ['0o17', '0o17'],
  ['1__0', 10n],
  ['0.0.0', '0.0.0'],
  ['2002-12-14', new Date(Date.UTC(2002, 11, 14))],
  ['2002-1-5', '2002-1-5'],
  ['2002-12-14 21:59:43.10 -5', new Date(Date.UTC(2002, 11, 15, 2, 59, 43, 100))],
  ['2002-12-14t21:59:43Z', new Date(Date.UTC(2002, 11, 14, 21, 59, 43))],
];

for (const [scalar, expected] of pyyaml) {
  test(`the plain scalar ${JSON.stringify(scalar)} reads as PyYAML reads it`, (t) => {
    const source = YamlSource.parse('nodepool.yaml', scalar === '' ? 'k:' : `k: ${scalar}`);
    t.deepEqual(source.syntaxErrors, []);
    const value = (source.data as { k: unknown }).k;
    if (typeof expected === 'number' && Number.isNaN(expected)) t.true(typeof value === 'number' && Number.isNaN(value));
    else t.deepEqual(value, expected);
  });
}

test('a lone "=" is an error, as PyYAML cannot construct it', (t) => {
  const source = YamlSource.parse('nodepool.yaml', 'k: =\n');
  t.is(source.syntaxErrors.length, 1);
  t.regex(source.syntaxErrors[0]!.message, /"="/);
});

test('elements-dir: . is the string "."', (t) => {
  t.deepEqual(YamlSource.parse('nodepool.yaml', 'elements-dir: .\n').data, { 'elements-dir': '.' });
});

test('an alias bomb is a problem of the file, not a crash', (t) => {
  const levels = ['a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]'];
  for (let level = 1; level < 9; level++) {
    const previous = String.fromCharCode(96 + level);
    levels.push(`${String.fromCharCode(97 + level)}: &${String.fromCharCode(97 + level)} [${Array(10).fill(`*${previous}`).join(', ')}]`);
  }
  const source = YamlSource.parse('nodepool.yaml', `${levels.join('\n')}\n`);
  t.is(source.data, undefined);
  t.is(source.syntaxErrors.length, 1);
  t.regex(source.syntaxErrors[0]!.message, /alias/i);
});

test('a mapping merged into itself is a problem of the file, not a crash', (t) => {
  const source = YamlSource.parse('nodepool.yaml', 'a: &a\n  x: 1\n  <<: *a\n');
  t.is(source.data, undefined);
  t.is(source.syntaxErrors.length, 1);
});
