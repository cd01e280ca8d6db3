import test from 'ava';
import { fileURLToPath } from 'node:url';
import { compareWithOriginalVerdicts } from '@nodepool/core/testing';
import drivers from '../src/index.js';

/** Keys beyond Nodepool 9.0.0 that we accept on purpose: our opt-ins (docs/compatibility.md). */
const OPT_INS: string[] = [];

for (const driver of ['kubernetes', 'openshift', 'openshiftpods']) {
  test(`config-validate gives Nodepool 9.0.0's verdict on thousands of variations of a full ${driver} provider`, async (t) => {
    // Recorded from the original's own validator by tools/original-verdicts/generate.py.
    const corpus = fileURLToPath(new URL(`fixtures/original-verdicts/${driver}.jsonl`, import.meta.url));
    const differences = await compareWithOriginalVerdicts(corpus, drivers);
    const optIn = (change: string) => OPT_INS.some((key) => change.startsWith(`${key} = `));
    t.deepEqual(
      differences.filter((difference) => !(difference.original === 'invalid' && difference.ours === 'valid' && optIn(difference.change))),
      [],
    );
  });
}
