import { Cluster } from '../harness/cluster.js';
import { QuotaSampler } from '../harness/quota-sampler.js';
import { runLoad } from '../harness/run-load.js';
import type { Scenario } from './scenario.js';

const MAX_SERVERS = 10;

/**
 * Two, then three launchers serving one pool (max-servers 10) under three times more demand
 * than it allows, while a sampler reads every node record and the cloud's instances back to
 * back: neither may ever count more than max-servers.
 */
export const sharedPool: Scenario = {
  name: 'shared-pool',
  summary: `2 then 3 launchers on one pool of max-servers ${MAX_SERVERS}, 30 jobs at once; quota sampled continuously`,
  async run(context) {
    const total = context.quick ? 60 : 200;
    const cluster = await Cluster.start(context, this.name, { zookeeper: 'tls', simCloudArgs: ['--boot-delay-ms', '500'] });
    try {
      const config = await cluster.writeConfig({ pools: [{ name: 'main', maxServers: MAX_SERVERS }] });
      for (let i = 0; i < 2; i++) await cluster.startLauncher(config);
      const sampler = new QuotaSampler(await cluster.client(), cluster.cloud);
      sampler.start();
      try {
        return await runLoad(cluster, this.name, { total, concurrency: 30, jobMs: 300 }, async (load) => {
          // The second half with a third launcher on the same pool.
          await load.whenCompleted(Math.round(total / 2));
          await cluster.startLauncher(config);
          await load.whenCompleted(total);
          await sampler.stop();
          const peak = sampler.peakByPool.get('sim/main') ?? 0;
          const violations: string[] = [];
          if (peak > MAX_SERVERS) violations.push(`pool sim/main had ${peak} nodes at once (max-servers ${MAX_SERVERS}): ${sampler.peakStatesByPool.get('sim/main')}`);
          if (sampler.peakInstances > MAX_SERVERS) violations.push(`the cloud held ${sampler.peakInstances} instances at once (max-servers ${MAX_SERVERS})`);
          if (sampler.samples === 0) violations.push('the quota sampler read nothing');
          const withInit = sampler.peakWithInitByPool.get('sim/main') ?? 0;
          return { extra: [`peak nodes ${peak}/${MAX_SERVERS} (${withInit} with init claims)`, `peak instances ${sampler.peakInstances}/${MAX_SERVERS}`, `${sampler.samples} samples`], violations };
        });
      } finally {
        await sampler.stop();
      }
    } finally {
      await cluster.destroy();
    }
  },
};
