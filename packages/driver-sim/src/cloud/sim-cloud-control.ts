import { controlApiCaller } from '@nodepool/core/testing';
import type {
  SimCallCounts,
  SimCloudSettings,
  SimCloudSettingsPatch,
  SimCreateImageRequest,
  SimDirectInstanceRequest,
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
  configure(patch: SimCloudSettingsPatch): Promise<SimCloudSettings>;
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
  const call = controlApiCaller(base, '_sim', 'sim cloud');
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
