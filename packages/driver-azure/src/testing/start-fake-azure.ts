import { callControl, closeServer, countedFakeControlCalls, countedFakeMethods, CountRules, listenOnLoopback, type CountedFakeMethods } from '@nodepool/core/testing';
import { FakeAzure, type FakeAzureIdentity, type FakeAzureSettings, type FakeAzureSettingsPatch } from './fake-azure.js';
import { checkBootFailure, checkFault, createFakeAzureServer, type FakeAzureServerState } from './fake-azure-server.js';
import { FakeAzureUsageError, type FakeAzureBootFailure, type FakeAzureFault } from './fault-rules.js';
import { makeFakeAzureTls, type FakeAzureTls } from './tls-material.js';

type Json = Record<string, any>;

/** How to start the fake: its settings, identity, TLS material and where to listen. */
export interface StartFakeAzureOptions extends FakeAzureSettingsPatch {
  readonly port?: number;
  readonly host?: string;
  /** The CA and server certificate to serve with; default: made afresh with openssl. */
  readonly tls?: FakeAzureTls;
  readonly identity?: Partial<FakeAzureIdentity>;
  /**
   * Virtual networks to start with, in resource groups made for them; default: network
   * `nodepool` with subnet `default` in resource group `nodepool`, in the first location.
   */
  readonly networks?: { resourceGroup: string; name: string; location?: string; subnets?: string[]; ipv6?: boolean }[];
}

/**
 * A fake Azure subscription running in this process. The methods act on its state directly (no
 * HTTP, not counted as API calls); the `/_fake/` endpoints do the same for other processes
 * (`fakeAzureControl`).
 */
export interface FakeAzureHandle extends CountedFakeMethods<FakeAzureSettings, FakeAzureSettingsPatch, FakeAzureFault, FakeAzureBootFailure> {
  /** `https://127.0.0.1:PORT`: the fake's identity platform, Resource Manager and blobs. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** The CA to trust (`NODE_EXTRA_CA_CERTS`), PEM. */
  readonly caCert: string;
  readonly identity: FakeAzureIdentity;
  /** The service principal's credentials file for `auth-path`, as `az ad sp create-for-rbac --sdk-auth` writes it (`GET /_fake/auth.json`). */
  authFile(): Json;
  /** Every resource (`GET /_fake/state`). */
  state(): Json[];
  /** Resources of one type (`Microsoft.Compute/virtualMachines`, …). */
  resources(type: string): Json[];
  /** A tagged resource made behind the API's back (`POST /_fake/leaks`). */
  addLeak(request: Parameters<FakeAzure['addLeak']>[0]): Json;
  addNetwork(request: Parameters<FakeAzure['addNetwork']>[0]): Json;
  /** What an upload wrote to a disk's blob. */
  diskContent(resourceGroup: string, disk: string): Buffer | undefined;
  /** What a VM was given that ARM's answers leave out: admin password, custom data, user data. */
  vmSecrets(resourceGroup: string, vm: string): { adminPassword?: string; customData?: string; userData?: string } | undefined;
  /** What was written to every page blob, whole, in the order they were made. */
  blobContents(): { path: string; size: number; content: Buffer }[];
  stop(): Promise<void>;
}

/**
 * Starts a fake Azure (the identity platform's token endpoint, Resource Manager for compute and
 * network resources, page blobs for disk uploads) over HTTPS on loopback, all state in memory,
 * speaking the APIs as `@azure/identity`, `@azure/arm-*` and `@azure/storage-blob` use them.
 * For tests, trials and benchmarks; not Azure.
 */
export async function startFakeAzure(options: StartFakeAzureOptions = {}): Promise<FakeAzureHandle> {
  const { port, host = '127.0.0.1', tls, identity, networks, ...settings } = options;
  const make = (): FakeAzure => {
    let fake: FakeAzure;
    try {
      fake = new FakeAzure(settings, identity);
    } catch (error) {
      throw error instanceof FakeAzureUsageError ? new TypeError(`invalid fake Azure options: ${error.message}`) : error;
    }
    for (const network of networks ?? [{ resourceGroup: 'nodepool', name: 'nodepool', subnets: ['default'] }]) fake.addNetwork(network);
    return fake;
  };
  const material = tls ?? (await makeFakeAzureTls());
  const state: FakeAzureServerState = { fake: make(), faults: new CountRules<FakeAzureFault>(FakeAzureUsageError), calls: {}, callLog: [], tokensValidFrom: 0, url: '' };

  const handle: FakeAzureHandle = {
    url: '',
    host,
    port: 0,
    caCert: material.caCert,
    identity: state.fake.identity,
    ...countedFakeMethods(state, { make, checkFault, checkBootFailure }),
    authFile: () => ({
      clientId: state.fake.identity.clientId,
      clientSecret: state.fake.identity.clientSecret,
      subscriptionId: state.fake.identity.subscriptionId,
      tenantId: state.fake.identity.tenantId,
      activeDirectoryEndpointUrl: state.url,
      resourceManagerEndpointUrl: `${state.url}/`,
      activeDirectoryGraphResourceId: 'https://graph.windows.net/',
      sqlManagementEndpointUrl: 'https://management.core.windows.net:8443/',
      galleryEndpointUrl: 'https://gallery.azure.com/',
      managementEndpointUrl: 'https://management.core.windows.net/',
    }),
    state: () => state.fake.state(),
    resources: (type) => state.fake.state().filter((resource) => String(resource.type).toLowerCase() === type.toLowerCase()),
    addLeak: (request) => state.fake.addLeak(request),
    addNetwork: (request) => state.fake.addNetwork(request),
    diskContent: (group, disk) => state.fake.diskContent(group, disk),
    vmSecrets: (group, vm) => state.fake.vmSecrets(group, vm),
    blobContents: () => state.fake.blobContents(),
    stop: async () => {
      state.fake.stop();
      await closeServer(server);
    },
  };

  const calls = {
    ...countedFakeControlCalls(handle),
    'POST leaks': (body: unknown) => handle.addLeak(body as Parameters<FakeAzureHandle['addLeak']>[0]),
    'POST networks': (body: unknown) => handle.addNetwork(body as Parameters<FakeAzureHandle['addNetwork']>[0]),
    'GET auth.json': () => handle.authFile(),
    'GET ca.pem': () => ({ caCert: handle.caCert }),
  };
  const server = createFakeAzureServer(state, { cert: material.serverCert, key: material.serverKey }, (method, path, body) => callControl(calls, method, path, body, FakeAzureUsageError));
  const address = await listenOnLoopback(server, { host, port, scheme: 'https' });
  state.url = address.url;
  Object.assign(handle, { url: address.url, port: address.port });
  return handle;
}
