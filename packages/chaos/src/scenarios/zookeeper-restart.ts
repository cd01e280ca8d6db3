import { setTimeout as delay } from 'node:timers/promises';
import { Cluster } from '../harness/cluster.js';
import { describeResumption, launcherSessions } from '../harness/launcher-sessions.js';
import { runLoad } from '../harness/run-load.js';
import type { Scenario } from './scenario.js';

/**
 * Two launchers on a TLS ZooKeeper server that is stopped for six seconds and started again
 * while about thirty launches are in flight (boots take two seconds). The launchers' sessions
 * must resume, and every request end fulfilled with no node left locked (issue 13, part 1).
 */
export const zooKeeperRestart: Scenario = {
  name: 'zk-restart',
  summary: 'TLS ZooKeeper stopped for 6 s and started again under load (2 launchers)',
  async run(context) {
    const total = context.quick ? 80 : 240;
    const cluster = await Cluster.start(context, this.name, { zookeeper: 'tls', simCloudArgs: ['--boot-delay-ms', '2000'] });
    try {
      const config = await cluster.writeConfig();
      for (let i = 0; i < 2; i++) await cluster.startLauncher(config);
      const observer = await cluster.client();
      const zk = cluster.zk!;
      return await runLoad(cluster, this.name, { total, concurrency: 30 }, async (load) => {
        const restarts = context.quick ? 1 : 2;
        const violations: string[] = [];
        const extra: string[] = [];
        for (let round = 1; round <= restarts; round++) {
          await load.whenCompleted(Math.round((round * total) / (restarts + 2)));
          const before = await launcherSessions(observer);
          await zk.stop();
          await delay(6000);
          await zk.start();
          // The launchers reconnect within their session timeout; give them that long.
          await delay(3000);
          const resumption = describeResumption(before, await launcherSessions(observer));
          extra.push(`restart ${round}: ${resumption.text}`);
          if (!resumption.resumed) violations.push(`restart ${round}: a launcher's session did not resume (${resumption.text})`);
        }
        return { extra, violations };
      });
    } finally {
      await cluster.destroy();
    }
  },
};
