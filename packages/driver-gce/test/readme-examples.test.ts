/**
 * The configuration examples of the documentation validate with this driver, and load. (This
 * driver's own README has none: it points to the project README's.)
 */
import test from 'ava';
import { problemsOfDocumentedExamples } from '@nodepool/core/testing';
import gceDriver from '@nodepool/driver-gce';

const file = new URL('../../../README.md', import.meta.url);
const heading = '### GCE';

test(`the examples under "${heading}" of README.md are valid and load`, async (t) => {
  t.deepEqual(await problemsOfDocumentedExamples(file, heading, [gceDriver]), []);
});
