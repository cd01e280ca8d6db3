import { setTimeout as delay } from 'node:timers/promises';
import { Cluster } from '../harness/cluster.js';
import { describeResumption, launcherSessions } from '../harness/launcher-sessions.js';
import { runLoad } from '../harness/run-load.js';
import type { Scenario } from './scenario.js';

/**
 * Two launchers on a three-server ensemble whose leader is SIGKILLed under load, and started
 * again six seconds later; the two others elect a new leader meanwhile. Sessions must move to
 * the surviving servers and resume.
 */
export const ensembleLeaderKill: Scenario = {
  name: 'ensemble-leader-kill',
  summary: '3-server ensemble, leader SIGKILLed under load and restarted 6 s later (2 launchers)',
  async run(context) {
    const total = context.quick ? 80 : 240;
    const cluster = await Cluster.start(context, this.name, { zookeeper: 'ensemble', simCloudArgs: ['--boot-delay-ms', '2000'] });
    try {
      const config = await cluster.writeConfig();
      for (let i = 0; i < 2; i++) await cluster.startLauncher(config);
      const observer = await cluster.client();
      const ensemble = cluster.ensemble!;
      return await runLoad(cluster, this.name, { total, concurrency: 30 }, async (load) => {
        const kills = context.quick ? 1 : 2;
        const violations: string[] = [];
        const extra: string[] = [];
        for (let round = 1; round <= kills; round++) {
          await load.whenCompleted(Math.round((round * total) / (kills + 2)));
          const before = await launcherSessions(observer);
          const leader = await ensemble.leader();
          const started = Date.now();
          await leader.kill();
          await ensemble.leader({ timeoutMs: 60_000 });
          const electionMs = Date.now() - started;
          await delay(Math.max(0, 6000 - electionMs));
          await leader.start();
          await delay(3000);
          const resumption = describeResumption(before, await launcherSessions(observer));
          extra.push(`kill ${round}: new leader in ${(electionMs / 1000).toFixed(1)} s, ${resumption.text}`);
          if (!resumption.resumed) violations.push(`kill ${round}: a launcher's session did not resume (${resumption.text})`);
        }
        return { extra, violations };
      });
    } finally {
      await cluster.destroy();
    }
  },
};
