import { Cluster } from '../harness/cluster.js';
import { runLoad } from '../harness/run-load.js';
import type { Scenario } from './scenario.js';

/**
 * Two launchers against a cloud that lets 20 % of instances end in error (seeded draws, so the
 * same instances fail each run), throttles every 5th create and every 9th listing with HTTP 429,
 * and answers at most 40 API calls a second. Launch retries absorb the boot failures; a request
 * may fail only with a reason, and no errored instance may be left behind.
 */
export const cloudFaults: Scenario = {
  name: 'cloud-faults',
  summary: '20 % boot failures, 429 on every 5th create and 9th listing, 40 calls/s limit (2 launchers)',
  async run(context) {
    const total = context.quick ? 80 : 300;
    const cluster = await Cluster.start(context, this.name, {
      zookeeper: 'tls',
      simCloudArgs: ['--boot-delay-ms', '500', '--failure-rate', '0.2', '--seed', '13', '--rate-limit', '40'],
    });
    try {
      await cluster.cloud.configure({ throttles: { 'instances.create': { every: 5, retryAfterMs: 200 }, 'instances.list': { every: 9, retryAfterMs: 200 } } });
      const config = await cluster.writeConfig({ pools: [{ name: 'main', maxServers: 40 }] });
      for (let i = 0; i < 2; i++) await cluster.startLauncher(config);
      return await runLoad(cluster, this.name, { total, concurrency: 25, allowedFailures: Math.ceil(total * 0.05) }, async (load) => {
        await load.whenCompleted(total);
        const calls = await cluster.cloud.calls();
        const throttled = Object.entries(calls)
          .filter(([operation]) => operation.endsWith('.throttled'))
          .reduce((sum, [, count]) => sum + count, 0);
        return { extra: [`instance creates ${calls['instances.create'] ?? 0}`, `throttled calls ${throttled}`] };
      });
    } finally {
      await cluster.destroy();
    }
  },
};
