import type { ZooKeeperClient } from '@nodepool/zookeeper';
import { NODE_ROOT, REQUEST_ROOT } from '@nodepool/zuul-client';
import { Cluster } from '../harness/cluster.js';
import { runLoad } from '../harness/run-load.js';
import { LABEL } from '../harness/sim-config.js';
import type { Scenario } from './scenario.js';

const now = Date.now() / 1000;
const requestBase = { requestor: 'chaos', created_time: now, state_time: now, provider: null, relative_priority: 0, event_id: null, tenant_name: null, requestor_data: null };

/** Node records that do not match the protocol: each must be skipped, never rewritten. */
const CORRUPT_NODES: readonly (string | Buffer)[] = [
  'this is not JSON {',
  '[1, 2, 3]',
  'null',
  JSON.stringify({ state: 42, type: [LABEL], provider: 'sim', pool: 'main' }),
  JSON.stringify({ state: 'ready', type: [42], provider: 'sim', pool: 'main', allocated_to: 7 }),
  JSON.stringify({ state: 'ready', type: [LABEL], provider: ['sim'], pool: 'main', connection_port: 'x', host_keys: 'x' }),
  Buffer.from([0xff, 0xfe, 0x7b, 0x00, 0xc3]),
];

/** Request records that do not match the protocol: each must be skipped, never fulfilled or rewritten. */
const CORRUPT_REQUESTS: readonly (string | Buffer)[] = [
  JSON.stringify({ ...requestBase, state: 'requested', node_types: [42, null, { x: [] }] }),
  JSON.stringify({ ...requestBase, state: 'requested', node_types: LABEL }),
  JSON.stringify({ ...requestBase, state: 'requested', node_types: [LABEL], relative_priority: 'x', declined_by: 'nobody' }),
  JSON.stringify({ ...requestBase, state: 5, node_types: [LABEL] }),
  JSON.stringify({ ...requestBase, state: 'requested', node_types: { 0: LABEL } }),
  'this is not JSON {',
  'null',
];

/**
 * Two launchers under load; a third of the way through, corrupt node and request znodes appear
 * (wrongly typed fields, not JSON, not UTF-8). The load must go on undisturbed, and at the end
 * each corrupt znode must hold exactly the bytes written (issue 13, part 3).
 */
export const corruptZnodes: Scenario = {
  name: 'corrupt-znodes',
  summary: `${CORRUPT_NODES.length} corrupt node and ${CORRUPT_REQUESTS.length} corrupt request znodes written mid-run (2 launchers)`,
  async run(context) {
    const total = context.quick ? 60 : 200;
    const cluster = await Cluster.start(context, this.name, { zookeeper: 'tls', simCloudArgs: ['--boot-delay-ms', '500'] });
    try {
      const config = await cluster.writeConfig();
      for (let i = 0; i < 2; i++) await cluster.startLauncher(config);
      const writer = await cluster.client();
      const written = new Map<string, Buffer>();
      const ignoreNodes = new Set<string>();
      return await runLoad(cluster, this.name, { total, concurrency: 20, ignoreNodes }, async (load) => {
        await load.whenCompleted(Math.round(total / 3));
        for (const data of CORRUPT_NODES) {
          const path = await writeCorrupt(writer, `${NODE_ROOT}/`, data, written);
          ignoreNodes.add(path.slice(NODE_ROOT.length + 1));
        }
        for (const data of CORRUPT_REQUESTS) await writeCorrupt(writer, `${REQUEST_ROOT}/200-`, data, written);
        await load.whenCompleted(total);
        const rewritten: string[] = [];
        let removed = 0;
        for (const [path, data] of written) {
          const now = await writer.getData(path).then(({ data: current }) => current, () => undefined);
          if (now === undefined) removed++;
          else if (!now.equals(data)) rewritten.push(`${path} now holds ${JSON.stringify(now.toString('utf8').slice(0, 120))}`);
        }
        const violations = rewritten.map((entry) => `a corrupt znode was rewritten: ${entry}`);
        return { extra: [`corrupt znodes rewritten ${rewritten.length}/${written.size}, removed ${removed}`], violations };
      });
    } finally {
      await cluster.destroy();
    }
  },
};

async function writeCorrupt(client: ZooKeeperClient, prefix: string, data: string | Buffer, written: Map<string, Buffer>): Promise<string> {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  const path = await client.create(prefix, { data: bytes, mode: 'persistent-sequential' });
  written.set(path, bytes);
  return path;
}
