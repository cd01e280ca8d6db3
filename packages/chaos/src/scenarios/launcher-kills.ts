import { setTimeout as delay } from 'node:timers/promises';
import { Cluster } from '../harness/cluster.js';
import type { LauncherDaemon } from '../harness/launcher-daemon.js';
import { runLoad } from '../harness/run-load.js';
import type { Scenario } from './scenario.js';

/**
 * Three launchers on two pools of one provider; under load, each launcher in turn is SIGKILLed
 * while launches are in flight (a boot takes a second) and started again two seconds later.
 * Kills happen after fixed numbers of finished jobs, so a run is repeatable.
 */
export const launcherKills: Scenario = {
  name: 'launcher-kills',
  summary: '3 launchers, 2 pools; each SIGKILLed in turn under load and restarted',
  async run(context) {
    const total = context.quick ? 90 : 300;
    const cluster = await Cluster.start(context, this.name, { zookeeper: 'tls', simCloudArgs: ['--boot-delay-ms', '1000'] });
    try {
      const config = await cluster.writeConfig({ pools: [{ name: 'main', maxServers: 25 }, { name: 'second', maxServers: 25 }] });
      const launchers: LauncherDaemon[] = [];
      for (let i = 0; i < 3; i++) launchers.push(await cluster.startLauncher(config));
      return await runLoad(cluster, this.name, { total, concurrency: 30 }, async (load) => {
        let kills = 0;
        for (const [index, launcher] of launchers.entries()) {
          await load.whenCompleted(Math.round(((index + 1) * total) / 4));
          if (load.completed >= total) break;
          await launcher.kill();
          kills++;
          await delay(2000);
          await launcher.start();
        }
        return { extra: [`${kills} SIGKILLs`] };
      });
    } finally {
      await cluster.destroy();
    }
  },
};
