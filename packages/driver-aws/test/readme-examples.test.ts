/**
 * The configuration examples of the documentation validate with this driver, and load.
 */
import test from 'ava';
import { problemsOfDocumentedExamples } from '@nodepool/core/testing';
import awsDriver from '@nodepool/driver-aws';

for (const [file, heading] of [
  [new URL('../../../README.md', import.meta.url), '### AWS'],
  [new URL('../README.md', import.meta.url), '## Example provider'],
] as const) {
  test(`the examples under "${heading}" of ${file.pathname.split('/').slice(-2).join('/')} are valid and load`, async (t) => {
    t.deepEqual(await problemsOfDocumentedExamples(file, heading, [awsDriver]), []);
  });
}
