import { closeServer, listenOnLoopback } from '@nodepool/core/testing';
import { FakeAws, type FakeAwsOptions } from './fake-aws.js';
import { createFakeAwsServer } from './fake-aws-server.js';
import { FakeAwsUsageError } from './fake-aws-settings.js';
import type { FakeAwsOperations } from './fake-aws-types.js';

/** The fixed credentials a fake AWS is meant to be called with (any other SigV4 ones work too). */
export const FAKE_AWS_CREDENTIALS = { accessKeyId: 'AKIAFAKEAWS000000000', secretAccessKey: 'fake-aws-secret-access-key' } as const;

/** What an SDK v3 client needs to talk to a fake AWS: `new EC2Client(fake.clientConfig())`. */
export interface FakeAwsClientConfig {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

/**
 * A fake AWS running in this process. The methods act on its state directly (no HTTP, not
 * counted as API calls); the `/_fake` endpoints do the same for other processes
 * (`fakeAwsControl`).
 */
export interface FakeAwsHandle extends FakeAwsOperations {
  /** Base URL, e.g. `http://127.0.0.1:41234`: the `endpoint` of every SDK client. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** The region clients must sign for (the `region` setting when started). */
  readonly region: string;
  /** Endpoint, region and fixed fake credentials for an EC2 or Service Quotas client. */
  clientConfig(): FakeAwsClientConfig;
  /** The same plus `forcePathStyle: true`, for an S3 client. */
  s3ClientConfig(): FakeAwsClientConfig & { readonly forcePathStyle: true };
  /** Closes the server and every connection to it. */
  stop(): Promise<void>;
}

/**
 * Starts a fake AWS: one HTTP server on loopback (by default) speaking the wire protocols the
 * AWS SDK v3 uses for EC2 (query), S3 (REST XML, path style) and Service Quotas (JSON), with all
 * state in memory. For tests, the quickstart and benchmarks; not AWS.
 *
 * ```ts
 * const fake = await startFakeAws({ bootDelayMs: 50 });
 * const ec2 = new EC2Client(fake.clientConfig());
 * const s3 = new S3Client(fake.s3ClientConfig());
 * await fake.stop();
 * ```
 */
export async function startFakeAws(options: FakeAwsOptions = {}): Promise<FakeAwsHandle> {
  let fake: FakeAws;
  try {
    fake = new FakeAws(options);
  } catch (error) {
    throw error instanceof FakeAwsUsageError ? new TypeError(`invalid fake AWS options: ${error.message}`) : error;
  }
  const server = createFakeAwsServer(fake);
  const { url, host, port } = await listenOnLoopback(server, options);
  const clientConfig = (): FakeAwsClientConfig => ({ endpoint: url, region: fake.settings().region, credentials: { ...FAKE_AWS_CREDENTIALS } });
  return {
    url,
    host,
    port,
    region: fake.settings().region,
    clientConfig,
    s3ClientConfig: () => ({ ...clientConfig(), forcePathStyle: true }),
    calls: () => fake.calls(),
    resetCalls: () => fake.resetCalls(),
    callLog: () => fake.callLog(),
    configure: (patch) => fake.configure(patch),
    settings: () => fake.settings(),
    injectFailure: (failure) => fake.injectFailure(failure),
    failures: () => fake.failures(),
    clearFailures: () => fake.clearFailures(),
    state: () => fake.state(),
    addInstance: (request) => fake.addInstance(request),
    addVolume: (request) => fake.addVolume(request),
    addImage: (request) => fake.addImage(request),
    addSnapshot: (request) => fake.addSnapshot(request),
    addHost: (request) => fake.addHost(request),
    addObject: (request) => fake.addObject(request),
    terminateInstances: (ids, reason) => fake.terminateInstances(ids, reason),
    reset: () => fake.reset(),
    stop: () => closeServer(server),
  };
}
