import type { AdapterContext, Instance, InstanceListing } from '../driver/adapter.js';
import type { Driver } from '../driver/driver.js';
import type { ProviderConfig } from '../driver/provider-config.js';
import { getLogger } from '../log.js';
import { PacedRateLimiter } from '../statemachine/rate-limiter.js';
import { validateConfigText } from './validate-config-text.js';

/**
 * What the kit hands an adapter in a driver's tests: paced limiters (`rate` mutating calls a
 * second, ten times that for reads: far above anything a test does) and the logger `logger`.
 */
export function adapterTestContext(logger: string, rate = 1000): AdapterContext {
  return { rateLimits: { mutating: new PacedRateLimiter(rate), readOnly: new PacedRateLimiter(rate * 10) }, log: getLogger(logger) };
}

/** The kit's shared listing in its simplest form: a fresh `listInstances()` per question. */
export function instanceListing(adapter: { listInstances(): Promise<Instance[]> }): InstanceListing {
  const listing = {
    async get(externalId: string): Promise<Instance | undefined> {
      return (await listing.all()).find((instance) => instance.externalId === externalId);
    },
    all: () => adapter.listInstances(),
  };
  return listing;
}

/**
 * The typed configuration of the provider `name` in `text` (labels and providers; a ZooKeeper
 * server is added), checked with `drivers`; throws the configuration's errors.
 */
export async function providerConfigOf<T extends ProviderConfig>(text: string, drivers: readonly Driver[], name: string): Promise<T> {
  const result = await validateConfigText(`zookeeper-servers:\n  - host: zk.example.com\n${text}`, drivers);
  if (!result.config) throw new Error(result.messages.join('\n'));
  return result.config.providers.get(name) as T;
}

/**
 * Runs a state machine until it finishes, `maxSteps` advances at the most; between them it
 * waits `pauseMs` (0: only for the event loop to turn, for a fake that answers at once).
 */
export async function runStateMachine<T>(machine: { advance(): Promise<T | undefined>; complete: boolean }, options: { maxSteps?: number; pauseMs?: number } = {}): Promise<T> {
  const { maxSteps = 1000, pauseMs = 0 } = options;
  for (let step = 0; step < maxSteps; step++) {
    const result = await machine.advance();
    if (result !== undefined || machine.complete) return result as T;
    await new Promise((resolve) => (pauseMs > 0 ? setTimeout(resolve, pauseMs) : setImmediate(resolve)));
  }
  throw new Error('the machine did not finish');
}
