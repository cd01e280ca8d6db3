import { listenOnLoopback } from '@nodepool/core/testing';
import type {
  SimCallCounts,
  SimCloudSettings,
  SimCloudSettingsPatch,
  SimCreateImageRequest,
  SimDirectInstanceRequest,
  SimImage,
  SimInstance,
} from './api-types.js';
import { SimCloud } from './sim-cloud.js';
import { SimCloudError } from './sim-cloud-error.js';
import type { SimCloudOptions } from './sim-cloud-options.js';
import { createSimCloudServer } from './sim-cloud-server.js';

/**
 * A simulated cloud running in this process. The methods act on its state directly (no HTTP,
 * not counted as API calls); the `/_sim` endpoints do the same for other processes.
 */
export interface SimCloudHandle {
  /** Base URL of the API, e.g. `http://127.0.0.1:41234`: a sim provider's `endpoint`. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** API calls per operation since the start or the last reset (`GET /_sim/calls`). */
  calls(): SimCallCounts;
  /** Zeroes the counters and returns what they were (`DELETE /_sim/calls`). */
  resetCalls(): SimCallCounts;
  /** Changes settings from now on (`POST /_sim/config`); returns them all. */
  configure(patch: SimCloudSettingsPatch): SimCloudSettings;
  settings(): SimCloudSettings;
  /** Every instance, as `GET /instances` would list it (`GET /_sim/instances`). */
  instances(): SimInstance[];
  images(): SimImage[];
  /** An instance made behind the API's back, e.g. a leak (`POST /_sim/instances`). */
  createInstance(request?: SimDirectInstanceRequest): SimInstance;
  /** An image made behind the API's back (`POST /_sim/images`). */
  createImage(request: SimCreateImageRequest): SimImage;
  /** Back to the starting state: settings, images, no instances, zero counters (`POST /_sim/reset`). */
  reset(): void;
  /** Closes the server and every connection to it. */
  stop(): Promise<void>;
}

/**
 * Starts a simulated cloud: an HTTP/JSON server on loopback (by default) keeping instances,
 * images and quota in memory. A simulator for tests, demos and benchmarks, not a cloud.
 *
 * ```ts
 * const cloud = await startSimCloud({ bootDelayMs: 50, maxInstances: 10 });
 * // providers: [{ driver: 'sim', endpoint: cloud.url, … }]
 * await cloud.stop();
 * ```
 */
export async function startSimCloud(options: SimCloudOptions = {}): Promise<SimCloudHandle> {
  let cloud: SimCloud;
  try {
    cloud = new SimCloud(options);
  } catch (error) {
    throw error instanceof SimCloudError ? new TypeError(`invalid sim cloud options: ${error.message}`) : error;
  }
  const server = createSimCloudServer(cloud);
  const { url, host, port } = await listenOnLoopback(server, options);
  return {
    url,
    host,
    port,
    calls: () => cloud.calls(),
    resetCalls: () => cloud.resetCalls(),
    configure: (patch) => cloud.configure(patch),
    settings: () => cloud.getSettings(),
    instances: () => cloud.listInstances(),
    images: () => cloud.listImages(),
    createInstance: (request = {}) => cloud.createInstanceDirectly(request),
    createImage: (request) => cloud.createImageDirectly(request),
    reset: () => cloud.reset(),
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
