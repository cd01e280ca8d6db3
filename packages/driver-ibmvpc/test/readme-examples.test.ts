/**
 * The configuration examples of the documentation validate with this driver, and load.
 */
import test from 'ava';
import { problemsOfDocumentedExamples } from '@nodepool/core/testing';
import ibmVpcDriver from '@nodepool/driver-ibmvpc';

for (const [file, heading] of [
  [new URL('../../../README.md', import.meta.url), '### IBM VPC'],
  [new URL('../README.md', import.meta.url), '## Example provider'],
] as const) {
  test(`the examples under "${heading}" of ${file.pathname.split('/').slice(-2).join('/')} are valid and load`, async (t) => {
    t.deepEqual(await problemsOfDocumentedExamples(file, heading, [ibmVpcDriver]), []);
  });
}
