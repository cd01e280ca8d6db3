import test from 'ava';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { DescribeInstancesCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { FAKE_AWS_CREDENTIALS, fakeAwsControl } from '@nodepool/driver-aws/testing';
import { waitFor } from '@nodepool/testkit';
import { launchArgs } from './helpers.js';

const bin = fileURLToPath(new URL('../../src/bin/nodepool-fake-aws.ts', import.meta.url));

function run(args: string[]) {
  const child = spawn(process.execPath, ['--import=tsx', '--conditions=source', bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
  return { child, output };
}

test('runs a fake AWS in the foreground with the given settings until SIGTERM', async (t) => {
  const { child, output } = run(['--port', '0', '--region', 'eu-west-1', '--boot-delay-ms', '60000', '--bucket', 'images', '--quota', 'L-1216C47A=8', '--public-address', '127.0.0.1']);
  t.teardown(() => child.kill('SIGKILL'));
  const url = await waitFor(() => /listening on (http:\/\/\S+)/.exec(output.stdout)?.[1], { timeoutMs: 20_000, message: 'no URL printed' });
  t.regex(output.stdout, /a fake AWS \(EC2, S3, Service Quotas\) for tests and demos, not AWS/);
  t.regex(output.stdout, /zones eu-west-1a, eu-west-1b, eu-west-1c/);
  t.like(await fakeAwsControl(url).settings(), { region: 'eu-west-1', bootDelayMs: 60_000, publicAddress: '127.0.0.1', quotas: { 'L-1216C47A': 8 } });

  const config = { endpoint: url, region: 'eu-west-1', credentials: FAKE_AWS_CREDENTIALS, maxAttempts: 1 };
  const ec2 = new EC2Client(config);
  const s3 = new S3Client({ ...config, forcePathStyle: true });
  t.teardown(() => {
    ec2.destroy();
    s3.destroy();
  });
  await ec2.send(new RunInstancesCommand(launchArgs({})));
  const [instance] = (await ec2.send(new DescribeInstancesCommand({}))).Reservations?.[0]?.Instances ?? [];
  t.like(instance, { State: { Name: 'pending' }, PublicIpAddress: '127.0.0.1', Placement: { AvailabilityZone: 'eu-west-1a' } });
  t.like(await s3.send(new ListObjectsV2Command({ Bucket: 'images' })), { KeyCount: 0 });

  child.kill('SIGTERM');
  const [code] = await once(child, 'exit');
  t.is(code, 0);
});

test('refuses bad arguments with the usage', async (t) => {
  const { child, output } = run(['--port', '0', '--quota', 'lots']);
  const [code] = await once(child, 'exit');
  t.is(code, 2);
  t.regex(output.stderr, /--quota must look like L-1216C47A=64, not "lots"/);
  t.regex(output.stderr, /Usage: nodepool-fake-aws --port N/);
});

test('requires a port', async (t) => {
  const { child, output } = run([]);
  const [code] = await once(child, 'exit');
  t.is(code, 2);
  t.regex(output.stderr, /--port is required/);
});
