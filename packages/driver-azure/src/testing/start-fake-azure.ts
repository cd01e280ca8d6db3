import type { AddressInfo } from 'node:net';
import { FakeAzure, type FakeAzureIdentity, type FakeAzureSettings, type FakeAzureSettingsPatch } from './fake-azure.js';
import { checkBootFailure, checkFault, createFakeAzureServer, type FakeAzureServerState } from './fake-azure-server.js';
import { CountRules, type FakeRuleState } from '@nodepool/core/testing';
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
export interface FakeAzureHandle {
  /** `https://127.0.0.1:PORT`: the fake's identity platform, Resource Manager and blobs. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** The CA to trust (`NODE_EXTRA_CA_CERTS`), PEM. */
  readonly caCert: string;
  readonly identity: FakeAzureIdentity;
  /** The service principal's credentials file for `auth-path`, as `az ad sp create-for-rbac --sdk-auth` writes it (`GET /_fake/auth.json`). */
  authFile(): Json;
  calls(): Record<string, number>;
  resetCalls(): Record<string, number>;
  callLog(): string[];
  configure(patch: FakeAzureSettingsPatch): FakeAzureSettings;
  settings(): FakeAzureSettings;
  /** Answers calls with an error, by count (`POST /_fake/faults`). */
  injectFault(fault: FakeAzureFault): FakeRuleState<FakeAzureFault>[];
  /** Makes virtual machines fail to provision, by count (`POST /_fake/boot-failures`). */
  failBoots(failure: FakeAzureBootFailure): FakeRuleState<FakeAzureBootFailure>[];
  clearFaults(): void;
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
  reset(): void;
  revokeTokens(): void;
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
    calls: () => ({ ...state.calls }),
    resetCalls: () => {
      const before = state.calls;
      state.calls = {};
      state.callLog = [];
      return before;
    },
    callLog: () => [...state.callLog],
    configure: (patch) => ({ ...state.fake.configure(patch) }),
    settings: () => ({ ...state.fake.settings }),
    injectFault: (fault) => {
      state.faults.add(checkFault(fault));
      return state.faults.list();
    },
    failBoots: (failure) => {
      state.fake.bootFailures.add(checkBootFailure(failure));
      return state.fake.bootFailures.list();
    },
    clearFaults: () => {
      state.faults.clear();
      state.fake.bootFailures.clear();
    },
    state: () => state.fake.state(),
    resources: (type) => state.fake.state().filter((resource) => String(resource.type).toLowerCase() === type.toLowerCase()),
    addLeak: (request) => state.fake.addLeak(request),
    addNetwork: (request) => state.fake.addNetwork(request),
    diskContent: (group, disk) => state.fake.diskContent(group, disk),
    vmSecrets: (group, vm) => state.fake.vmSecrets(group, vm),
    blobContents: () => state.fake.blobContents(),
    reset: () => {
      state.fake.stop();
      state.fake = make();
      state.faults.clear();
      state.calls = {};
      state.callLog = [];
      state.tokensValidFrom = Date.now();
    },
    revokeTokens: () => {
      state.tokensValidFrom = Date.now() + 1;
    },
    stop: async () => {
      state.fake.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const server = createFakeAzureServer(state, { cert: material.serverCert, key: material.serverKey }, (method, path, body) => control(handle, method, path, body));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port: bound } = server.address() as AddressInfo;
  state.url = `https://${host.includes(':') ? `[${host}]` : host}:${bound}`;
  Object.assign(handle, { url: state.url, port: bound });
  return handle;
}

function control(handle: FakeAzureHandle, method: string, path: string, body: unknown): unknown {
  switch (`${method} ${path}`) {
    case 'GET calls':
      return handle.calls();
    case 'DELETE calls':
      return handle.resetCalls();
    case 'GET calls/log':
      return handle.callLog();
    case 'GET settings':
      return handle.settings();
    case 'POST settings':
      return handle.configure(body as FakeAzureSettingsPatch);
    case 'POST faults':
      return handle.injectFault(body as FakeAzureFault);
    case 'POST boot-failures':
      return handle.failBoots(body as FakeAzureBootFailure);
    case 'DELETE faults':
      handle.clearFaults();
      return undefined;
    case 'GET state':
      return handle.state();
    case 'POST leaks':
      return handle.addLeak(body as Parameters<FakeAzureHandle['addLeak']>[0]);
    case 'POST networks':
      return handle.addNetwork(body as Parameters<FakeAzureHandle['addNetwork']>[0]);
    case 'POST reset':
      handle.reset();
      return undefined;
    case 'GET auth.json':
      return handle.authFile();
    case 'GET ca.pem':
      return { caCert: handle.caCert };
    default:
      throw new FakeAzureUsageError(`no control endpoint ${method} ${path}`);
  }
}
