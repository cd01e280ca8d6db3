import type {
  SimCallCounts,
  SimCloudSettings,
  SimCreateImageRequest,
  SimDirectInstanceRequest,
  SimErrorBody,
  SimImage,
  SimInstance,
} from './api-types.js';

/**
 * The control plane (`/_sim/…`) of a simulated cloud running elsewhere, e.g. the
 * `nodepool-sim-cloud` command: what `SimCloudHandle` offers in process, over HTTP. None of it
 * counts as an API call or is throttled.
 */
export interface SimCloudControl {
  readonly url: string;
  calls(): Promise<SimCallCounts>;
  resetCalls(): Promise<SimCallCounts>;
  configure(patch: Partial<SimCloudSettings>): Promise<SimCloudSettings>;
  settings(): Promise<SimCloudSettings>;
  instances(): Promise<SimInstance[]>;
  images(): Promise<SimImage[]>;
  createInstance(request?: SimDirectInstanceRequest): Promise<SimInstance>;
  createImage(request: SimCreateImageRequest): Promise<SimImage>;
  reset(): Promise<void>;
}

/** Controls the simulated cloud at `url` (its base URL, as printed by `nodepool-sim-cloud`). */
export function simCloudControl(url: string): SimCloudControl {
  const base = url.replace(/\/+$/, '');
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${base}/_sim/${path}`, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const data: unknown = text === '' ? undefined : JSON.parse(text);
    if (!response.ok) {
      const message = (data as SimErrorBody | undefined)?.error?.message ?? text;
      throw new Error(`sim cloud ${method} /_sim/${path} failed with HTTP ${response.status}: ${message}`);
    }
    return data as T;
  };
  return {
    url: base,
    calls: () => call('GET', 'calls'),
    resetCalls: () => call('DELETE', 'calls'),
    configure: (patch) => call('POST', 'config', patch),
    settings: () => call('GET', 'config'),
    instances: async () => (await call<{ instances: SimInstance[] }>('GET', 'instances')).instances,
    images: async () => (await call<{ images: SimImage[] }>('GET', 'images')).images,
    createInstance: async (request = {}) => (await call<{ instance: SimInstance }>('POST', 'instances', request)).instance,
    createImage: async (request) => (await call<{ image: SimImage }>('POST', 'images', request)).image,
    reset: () => call('POST', 'reset'),
  };
}
