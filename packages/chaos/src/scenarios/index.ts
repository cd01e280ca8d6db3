import { cloudFaults } from './cloud-faults.js';
import { configFuzz } from './config-fuzz.js';
import { corruptZnodes } from './corrupt-znodes.js';
import { ensembleLeaderKill } from './ensemble-leader-kill.js';
import { launcherKills } from './launcher-kills.js';
import type { Scenario } from './scenario.js';
import { sharedPool } from './shared-pool.js';
import { zooKeeperRestart } from './zookeeper-restart.js';

export type { Scenario } from './scenario.js';

/** Every scenario, in the order a full run takes them (issue 13, part 5). */
export const scenarios: readonly Scenario[] = [launcherKills, zooKeeperRestart, ensembleLeaderKill, cloudFaults, sharedPool, corruptZnodes, configFuzz];
