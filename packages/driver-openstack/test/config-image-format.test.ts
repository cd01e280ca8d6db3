import test from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateConfigText } from '@nodepool/core/testing';
import drivers, { type OpenStackProviderConfig } from '@nodepool/driver-openstack';

const dir = mkdtempSync(join(tmpdir(), 'image-format-'));
writeFileSync(join(dir, 'clouds.yaml'), 'clouds:\n  rawcloud:\n    auth: {auth_url: https://keystone.example.com/v3}\n    image_format: raw\n');
process.env.OS_CLIENT_CONFIG_FILE = join(dir, 'clouds.yaml');

const yaml = (cloud: string) => `zookeeper-servers:\n  - host: zk\nproviders:\n  - name: p\n    cloud: ${cloud}\n    pools: []\n`;

test('a provider uploads in the format its cloud\'s clouds.yaml names (image_format), else qcow2', async (t) => {
  const raw = await validateConfigText(yaml('rawcloud'), drivers);
  t.is((raw.config!.providers.get('p') as OpenStackProviderConfig).imageFormat, 'raw');
  const unknown = await validateConfigText(yaml('elsewhere'), drivers);
  t.deepEqual(unknown.messages, [], 'a cloud clouds.yaml lacks is no problem of the file');
  t.is((unknown.config!.providers.get('p') as OpenStackProviderConfig).imageFormat, 'qcow2');
});
