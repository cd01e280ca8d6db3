// Compares our config-validate verdict with the original's on real files: reads the "FILE RC"
// lines original.py prints on stdin and prints each file where our verdict differs, with our
// errors. From the repository root:
//   /usr/bin/python3 tools/original-verdicts/original.py FILES… 2>/dev/null \
//     | node --import=tsx --conditions=source tools/original-verdicts/compare-files.ts
import { readFileSync } from 'node:fs';
import { DriverRegistry, formatIssue, validateConfig } from '@nodepool/core';
import aws from '@nodepool/driver-aws';
import azure from '@nodepool/driver-azure';
import gce from '@nodepool/driver-gce';
import ibmvpc from '@nodepool/driver-ibmvpc';
import k8s from '@nodepool/driver-k8s';
import metastatic from '@nodepool/driver-metastatic';
import openstack from '@nodepool/driver-openstack';
import staticDriver from '@nodepool/driver-static';

const drivers = DriverRegistry.of(aws, azure, gce, ibmvpc, ...k8s, metastatic, ...openstack, staticDriver);
let differ = 0, total = 0;
for (const line of readFileSync(0, 'utf8').split('\n')) {
  const match = /^(.*) (\d+)$/.exec(line);
  if (!match) continue;
  const [, file, rc] = match;
  total++;
  const result = await validateConfig(file!, { drivers, env: process.env });
  const ours = result.errors.length > 0 ? 1 : 0;
  if (ours !== Number(rc)) {
    differ++;
    console.log(`${file}: original ${rc}, ours ${ours}`);
    for (const issue of result.errors) console.log(`    ${formatIssue(issue)}`);
  }
}
console.log(`${total} files, ${differ} differ`);
