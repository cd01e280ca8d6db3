import { EventEmitter } from 'node:events';
import type { NodeCache, RequestCache } from '../zk/caches.js';
import { NODE_STATES, type NodeState } from '../zk/node.js';
import { systemClock, type HistoryClock } from './clock.js';
import { MAX_PROVIDERS_PER_SAMPLE, OTHER_PROVIDERS, type HistorySample, type ProviderLaunches } from './history-sample.js';
import { LaunchOutcomeWatcher, type LaunchOutcome } from './launch-outcomes.js';
import { RequestWaitWatcher, type CompletedRequest } from './request-waits.js';
import { RingBuffer } from './ring-buffer.js';
import { WaitSample } from './wait-sample.js';

/** Default time between samples: 10 s. */
export const DEFAULT_HISTORY_INTERVAL_MS = 10_000;
/** Default number of samples kept: an hour at the default interval. */
export const DEFAULT_HISTORY_CAPACITY = 360;

export interface LauncherHistoryOptions {
  /** The launcher's node cache (every launcher's nodes). */
  readonly nodes: NodeCache;
  /** The launcher's request cache. */
  readonly requests: RequestCache;
  /** Time between samples in ms; default 10 000. */
  readonly intervalMs?: number | undefined;
  /** Samples kept; default 360. */
  readonly capacity?: number | undefined;
  /** Default the system clock; tests pass a fake one. */
  readonly clock?: HistoryClock | undefined;
}

export interface LauncherHistoryEvents {
  /** After each sample is taken. */
  sample: [HistorySample];
  /** Each request seen fulfilled or failed, as it is seen (the `/metrics` histogram counts these). */
  completed: [CompletedRequest];
}

/**
 * The launcher's recent past, in memory: every `intervalMs` a sample of nodes by state, open
 * requests, the p50/p95 wait of the requests completed since the last sample, and the launches
 * and failures per provider since then. The last `capacity` samples are kept (an hour by
 * default) in a ring buffer, so memory stays bounded. Measured for 360 samples: 140 KiB
 * without launches, 370 KiB with a dozen providers launching in every interval, 2.1 MiB at worst
 * (every sample naming `MAX_PROVIDERS_PER_SAMPLE` providers with 110-character names); the
 * tests check the bound.
 *
 * Everything is observed from the ZooKeeper caches the launcher keeps anyway (no hook in the
 * launcher), so every launcher of a cluster shows the same figures, from the time it started.
 */
export class LauncherHistory extends EventEmitter<LauncherHistoryEvents> {
  readonly intervalMs: number;
  private readonly buffer: RingBuffer<HistorySample>;
  private readonly clock: HistoryClock;
  private readonly requestWaits: RequestWaitWatcher;
  private readonly launchOutcomes: LaunchOutcomeWatcher;
  private waits = new WaitSample();
  private launches = new Map<string, { launched: number; failed: number }>();
  private lastSampleAt: number | undefined;
  private cancelTimer: (() => void) | undefined;

  constructor(private readonly options: LauncherHistoryOptions) {
    super();
    this.intervalMs = options.intervalMs ?? DEFAULT_HISTORY_INTERVAL_MS;
    if (!(this.intervalMs > 0)) throw new RangeError(`history interval must be positive, not ${this.intervalMs} ms`);
    this.buffer = new RingBuffer(options.capacity ?? DEFAULT_HISTORY_CAPACITY);
    this.clock = options.clock ?? systemClock;
    this.requestWaits = new RequestWaitWatcher(options.requests, (request) => {
      this.waits.add(request.waitSeconds);
      this.emit('completed', request);
    });
    this.launchOutcomes = new LaunchOutcomeWatcher(options.nodes, (provider, outcome) => this.countLaunch(provider, outcome));
  }

  /** Samples kept at most. */
  get capacity(): number {
    return this.buffer.capacity;
  }

  /** Starts following the caches and takes a first sample (the state now, nothing happened yet). */
  start(): void {
    if (this.cancelTimer) return;
    this.requestWaits.start();
    this.launchOutcomes.start();
    this.sample();
    this.cancelTimer = this.clock.every(this.intervalMs, () => this.sample());
  }

  stop(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.requestWaits.stop();
    this.launchOutcomes.stop();
  }

  /** The samples kept, oldest first. */
  samples(): HistorySample[] {
    return this.buffer.toArray();
  }

  /**
   * Takes a sample now, closing the interval under way (the timer calls it; tests may too, to
   * get a sample without waiting for one).
   */
  sample(): HistorySample {
    const now = this.clock.now();
    const nodes = Object.fromEntries(NODE_STATES.map((state) => [state, 0])) as Record<NodeState, number>;
    for (const node of this.options.nodes.values()) nodes[node.state]++;
    let requests = 0;
    for (const request of this.options.requests.values()) if (request.state === 'requested' || request.state === 'pending') requests++;
    const sample: HistorySample = {
      time: now / 1000,
      interval: this.lastSampleAt === undefined ? 0 : (now - this.lastSampleAt) / 1000,
      nodes,
      requests,
      request_wait: this.waits.summary(),
      launches: boundedLaunches(this.launches),
    };
    this.lastSampleAt = now;
    this.waits = new WaitSample();
    this.launches = new Map();
    this.buffer.push(sample);
    this.emit('sample', sample);
    return sample;
  }

  private countLaunch(provider: string, outcome: LaunchOutcome): void {
    let counts = this.launches.get(provider);
    if (!counts) this.launches.set(provider, (counts = { launched: 0, failed: 0 }));
    counts[outcome]++;
  }
}

/** The launches by provider as a sample holds them: the busiest `MAX_PROVIDERS_PER_SAMPLE`, the rest summed. */
function boundedLaunches(launches: ReadonlyMap<string, ProviderLaunches>): Record<string, ProviderLaunches> {
  const busiest = [...launches].sort(([a, x], [b, y]) => y.launched + y.failed - (x.launched + x.failed) || (a < b ? -1 : a > b ? 1 : 0));
  const kept = busiest.slice(0, MAX_PROVIDERS_PER_SAMPLE);
  const result: Record<string, ProviderLaunches> = Object.fromEntries(kept.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const rest = busiest.slice(MAX_PROVIDERS_PER_SAMPLE);
  if (rest.length > 0) {
    result[OTHER_PROVIDERS] = rest.reduce((sum, [, counts]) => ({ launched: sum.launched + counts.launched, failed: sum.failed + counts.failed }), { launched: 0, failed: 0 });
  }
  return result;
}
