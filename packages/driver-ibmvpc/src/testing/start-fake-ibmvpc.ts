import { listenOnLoopback } from '@nodepool/core/testing';
import { fakeCredentialsFile } from './credentials-file.js';
import { FakeIbmVpc, type FakeIbmVpcOptions } from './fake-ibmvpc.js';
import { createFakeIbmVpcServers, type FakeIbmVpcUrls } from './fake-ibmvpc-server.js';
import { FakeIbmVpcUsageError, type FakeIbmVpcSettings, type FakeIbmVpcSettingsPatch } from './fake-ibmvpc-settings.js';
import type { FakeBootFailure, FakeFault, FakeRuleState } from './fault-rules.js';
import type { AddFloatingIpRequest, AddImageRequest, AddInstanceRequest, FakeCallCounts, FakeFloatingIp, FakeIbmVpcState, FakeImage, FakeInstance } from './fake-types.js';

/** Where to listen: loopback and free ports unless told otherwise. */
export interface StartFakeIbmVpcOptions extends FakeIbmVpcOptions {
  readonly host?: string;
  /** The platform's port (IAM, VPC, Resource Manager and Controller); 0: a free one. */
  readonly port?: number;
  /** Cloud Object Storage's port; 0: a free one. */
  readonly cosPort?: number;
}

/**
 * A fake IBM Cloud running in this process. The methods act on its state directly (not counted
 * as API calls); the `/_fake` endpoints do the same for other processes (`fakeIbmVpcControl`).
 */
export interface FakeIbmVpcHandle {
  /** The platform's base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** Cloud Object Storage's base URL (the provider's `object-storage.endpoint`). */
  readonly cosUrl: string;
  readonly host: string;
  readonly port: number;
  readonly cosPort: number;
  /** A credentials file for the provider's `credentials-file` (`GET /_fake/credentials`). */
  credentialsFile(apiKey?: string): string;
  /** API calls per operation since the start or the last reset. */
  calls(): FakeCallCounts;
  resetCalls(): FakeCallCounts;
  /** What `calls()` counted, in order. */
  callLog(): string[];
  /** IAM tokens issued so far (a renewal is one more). */
  tokensIssued(): number;
  configure(patch: FakeIbmVpcSettingsPatch): FakeIbmVpcSettings;
  settings(): FakeIbmVpcSettings;
  /** Answers calls of an operation with an error, by count. */
  injectFault(fault: FakeFault): FakeRuleState<FakeFault>[];
  /** Makes instances created from now on go to `failed`, by count. */
  failBoots(failure?: FakeBootFailure): FakeRuleState<FakeBootFailure>[];
  clearFaults(): void;
  state(): FakeIbmVpcState;
  /** An instance made behind the API's back: a leak, or someone else's. */
  addInstance(request?: AddInstanceRequest): FakeInstance;
  addFloatingIp(request?: AddFloatingIpRequest): FakeFloatingIp;
  addImage(request: AddImageRequest): FakeImage;
  /** Puts an object in a bucket, as someone else would. */
  putObject(bucket: string, key: string, data: Buffer | string): void;
  /** Revokes every IAM token issued so far: clients must fetch new ones. */
  revokeTokens(): number;
  reset(): void;
  stop(): Promise<void>;
}

/**
 * Starts a fake IBM Cloud for the ibmvpc driver: IAM's token service, the VPC API, the Resource
 * Manager and Controller on one port, Cloud Object Storage (S3) on another, all on loopback by
 * default, state in memory. For tests, trials and benchmarks; not IBM Cloud.
 *
 * ```ts
 * const fake = await startFakeIbmVpc({ bootDelayMs: 100 });
 * await writeFile('creds.env', fake.credentialsFile());
 * await fake.stop();
 * ```
 */
export async function startFakeIbmVpc(options: StartFakeIbmVpcOptions = {}): Promise<FakeIbmVpcHandle> {
  const { host, port, cosPort, ...fakeOptions } = options;
  let fake: FakeIbmVpc;
  try {
    fake = new FakeIbmVpc(fakeOptions);
  } catch (error) {
    throw error instanceof FakeIbmVpcUsageError ? new TypeError(`invalid fake IBM Cloud options: ${error.message}`) : error;
  }
  let urls: FakeIbmVpcUrls = { main: '', cos: '' };
  const servers = createFakeIbmVpcServers(fake, () => urls);
  const main = await listenOnLoopback(servers.main, { host, port });
  const cos = await listenOnLoopback(servers.cos, { host, port: cosPort });
  urls = { main: main.url, cos: cos.url };
  const close = (server: typeof servers.main): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      server.close((error) => (error ? reject(error) : resolve()));
      server.closeAllConnections();
    });
  return {
    url: main.url,
    cosUrl: cos.url,
    host: main.host,
    port: main.port,
    cosPort: cos.port,
    credentialsFile: (apiKey) => fakeCredentialsFile(urls, apiKey),
    calls: () => fake.calls(),
    resetCalls: () => fake.resetCalls(),
    callLog: () => fake.callLog(),
    tokensIssued: () => fake.iam.issued,
    configure: (patch) => fake.configure(patch),
    settings: () => fake.settings(),
    injectFault: (fault) => fake.injectFault(fault),
    failBoots: (failure = {}) => fake.failBoots(failure),
    clearFaults: () => fake.clearFaults(),
    state: () => fake.state(),
    addInstance: (request) => fake.addInstance(request),
    addFloatingIp: (request) => fake.addFloatingIp(request),
    addImage: (request) => fake.addImage(request),
    putObject: (bucket, key, data) => {
      const target = fake.buckets.get(bucket);
      if (!target) throw new FakeIbmVpcUsageError(`no bucket ${bucket}`);
      const body = Buffer.from(data);
      target.objects.set(key, { key, data: body, etag: 'put-directly', lastModified: fake.now() });
    },
    revokeTokens: () => fake.iam.revokeAll(),
    reset: () => fake.reset(),
    stop: async () => {
      await Promise.all([close(servers.main), close(servers.cos)]);
    },
  };
}
