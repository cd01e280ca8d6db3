/**
 * Where the driver finds IBM Cloud credentials, as Nodepool 9.0.0 does through the IBM SDK: the
 * provider's credentials-file, else the environment (`VPC_*`); tokens bought with the API key
 * are renewed as they run out. These tests change process.env, so they run one at a time.
 */
import test from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@nodepool/testkit';
import { loadIbmCloudCredentials, MissingCredentialsError } from '@nodepool/driver-ibmvpc';
import { ibmvpcSetup } from '../helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'nodepool-ibmvpc-credentials-test-'));
// HOME too: the SDK also reads ~/ibm-credentials.env, which a developer's machine may have.
const VARIABLES = ['HOME', 'IBM_CREDENTIALS_FILE', 'VPC_AUTH_TYPE', 'VPC_APIKEY', 'VPC_AUTH_URL', 'VPC_URL', 'RESOURCE_MANAGER_URL', 'RESOURCE_CONTROLLER_URL', 'IBMCLOUD_API_KEY', 'VPC_BEARER_TOKEN'];

/** Runs `body` with exactly `env` among the variables the IBM SDK reads, restoring them after. */
async function withEnvironment<T>(env: Record<string, string>, body: () => T | Promise<T>): Promise<T> {
  const saved = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]));
  for (const name of VARIABLES) delete process.env[name];
  Object.assign(process.env, { HOME: dir }, env);
  try {
    return await body();
  } finally {
    for (const name of VARIABLES) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  }
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

test.serial('the credentials-file gives the API key, IAM and the service endpoints; IBM_CREDENTIALS_FILE is left as it was', async (t) => {
  const path = file('creds.env', 'VPC_AUTH_TYPE=iam\nVPC_APIKEY=file-key\nVPC_AUTH_URL=https://iam.example.test\nVPC_URL=https://vpc.example.test/v1\nRESOURCE_MANAGER_URL=https://rm.example.test\nRESOURCE_CONTROLLER_URL=https://rc.example.test\n');
  const other = file('other.env', 'VPC_AUTH_TYPE=iam\nVPC_APIKEY=other-key\n');
  await withEnvironment({ IBM_CREDENTIALS_FILE: other, VPC_AUTH_TYPE: 'iam', VPC_APIKEY: 'environment-key' }, () => {
    const credentials = loadIbmCloudCredentials(path);
    t.like(credentials, { apiKey: 'file-key', authUrl: 'https://iam.example.test', vpcUrl: 'https://vpc.example.test/v1', resourceManagerUrl: 'https://rm.example.test', resourceControllerUrl: 'https://rc.example.test' });
    t.is(credentials.authenticator().authenticationType(), 'iam');
    t.is(process.env.IBM_CREDENTIALS_FILE, other, 'restored after the look');
  });
  await withEnvironment({}, () => {
    loadIbmCloudCredentials(path);
    t.is(process.env.IBM_CREDENTIALS_FILE, undefined, 'removed again when it was not set');
  });
});

test.serial('without a credentials-file, the environment: VPC_AUTH_TYPE and VPC_APIKEY, or IBM_CREDENTIALS_FILE', async (t) => {
  await withEnvironment({ VPC_AUTH_TYPE: 'iam', VPC_APIKEY: 'environment-key' }, () => {
    const credentials = loadIbmCloudCredentials(null);
    t.like(credentials, { apiKey: 'environment-key', authUrl: null, vpcUrl: null });
    t.is(credentials.authenticator().authenticationType(), 'iam');
  });
  const path = file('pointed.env', 'VPC_AUTH_TYPE=iam\nVPC_APIKEY=pointed-key\n');
  await withEnvironment({ IBM_CREDENTIALS_FILE: path }, () => {
    t.is(loadIbmCloudCredentials(null).apiKey, 'pointed-key');
  });
});

test.serial('a bearer token instead of an API key is used as given, leaving no API key for Cloud Object Storage', async (t) => {
  await withEnvironment({ VPC_AUTH_TYPE: 'bearerToken', VPC_BEARER_TOKEN: 'a-token' }, () => {
    const credentials = loadIbmCloudCredentials(null);
    t.is(credentials.apiKey, null);
    t.is(credentials.authenticator().authenticationType(), 'bearerToken');
  });
});

test.serial('IBMCLOUD_API_KEY serves when nothing names service vpc; with nothing at all, the error says what to give', async (t) => {
  await withEnvironment({ IBMCLOUD_API_KEY: 'cli-key' }, () => {
    const credentials = loadIbmCloudCredentials(null);
    t.like(credentials, { apiKey: 'cli-key', authUrl: null, vpcUrl: null });
    t.is(credentials.authenticator().authenticationType(), 'iam');
  });
  await withEnvironment({}, () => {
    const error = t.throws(() => loadIbmCloudCredentials(null), { instanceOf: MissingCredentialsError });
    t.regex(error!.message, /credentials-file/);
    t.regex(error!.message, /VPC_APIKEY/);
  });
  const empty = file('empty.env', '# nothing\n');
  await withEnvironment({}, () => {
    t.throws(() => loadIbmCloudCredentials(empty), { instanceOf: MissingCredentialsError }, 'a credentials-file without VPC_ entries');
  });
});

test.serial('an IAM token running out is replaced by a new one; calls go on succeeding', async (t) => {
  const { fake, adapter } = await ibmvpcSetup(t, { tokenTtlMs: 2_000 });
  await adapter.listInstances();
  const first = fake.tokensIssued();
  // The SDK renews a token once most of its life has passed (or, late, after a refusal); every call must succeed meanwhile.
  await waitFor(async () => {
    await adapter.listInstances();
    return fake.tokensIssued() > first + 1;
  }, { timeoutMs: 60_000 });
  await t.notThrowsAsync(adapter.listInstances());
  t.true(fake.calls()['iam.POST.token']! > first + 1);
});
