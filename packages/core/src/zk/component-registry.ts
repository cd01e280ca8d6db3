import type { ZooKeeperClient } from '@nodepool/zookeeper';
import { getLogger } from '../log.js';
import { Component } from './component.js';
import { stringifyRecordJson } from './json.js';
import { componentsPath, ZkPaths, type ComponentKind } from './paths.js';
import { TreeCache } from './tree-cache.js';

const KINDS: readonly ComponentKind[] = ['launcher', 'pool', 'builder'];

/** Every registered launcher, pool and builder component (spec §8), kept current by a watch. */
export class ComponentRegistry extends TreeCache<Component> {
  constructor(private readonly client: ZooKeeperClient) {
    super({
      client,
      root: ZkPaths.components,
      log: getLogger('nodepool.zk.ComponentRegistry'),
      classify: (parts) => {
        if (!KINDS.includes(parts[0] as ComponentKind)) return { role: 'ignore' };
        if (parts.length === 1) return { role: 'directory' };
        return parts.length === 2 ? { role: 'record', key: `${parts[0]}/${parts[1]}` } : { role: 'ignore' };
      },
      parse: (key, json, stat) => {
        const [kind, name] = key.split('/') as [ComponentKind, string];
        return Component.fromJson(kind, name, json, stat.version);
      },
    });
  }

  override async start(): Promise<void> {
    // Everyone who uses the registry ensures the kind directories, as the original does.
    await Promise.all(KINDS.map((kind) => this.client.mkdirp(componentsPath(kind))));
    await super.start();
  }

  all(kind: ComponentKind): Component[] {
    return [...this.entries()].filter(([key]) => key.startsWith(`${kind}/`)).map(([, component]) => component);
  }
}

/**
 * Our own registration: an ephemeral sequential znode `<kind>/<hostname><seq10>`, updated with
 * versioned writes and registered again (under a new name) whenever a new session starts.
 */
export class ComponentRegistration {
  private readonly log = getLogger('nodepool.zk.ComponentRegistration');
  private registering: Promise<void> | undefined;
  private unregistered = false;
  private readonly onNewSession = (): void => {
    if (!this.unregistered) void this.register().catch((error: unknown) => this.log.error('re-registering failed', { error: String(error) }));
  };

  constructor(
    private readonly client: ZooKeeperClient,
    readonly component: Component,
  ) {}

  /** The znode path once registered. */
  get path(): string | undefined {
    return this.component.name ? `${componentsPath(this.component.kind)}/${this.component.name}` : undefined;
  }

  async register(): Promise<void> {
    this.registering ??= (async () => {
      const created = await this.client.create(`${componentsPath(this.component.kind)}/${this.component.hostname}`, {
        data: stringifyRecordJson(this.component.toJson(), { sortKeys: true }),
        mode: 'ephemeral-sequential',
        makeParents: true,
      });
      this.component.name = created.slice(created.lastIndexOf('/') + 1);
      this.component.version = 0;
      this.log.info('registered component', { path: created });
    })().finally(() => {
      this.registering = undefined;
    });
    this.client.off('connected', this.onNewSession);
    this.client.on('connected', this.onNewSession);
    return this.registering;
  }

  /**
   * Changes fields and rewrites the record with a version check. Only we write our record,
   * so a version conflict means a bug; it is reported, not retried.
   */
  async update(changes: Record<string, unknown>): Promise<void> {
    Object.assign(this.component.content, changes);
    const path = this.path;
    if (!path) return;
    const stat = await this.client.setData(path, stringifyRecordJson(this.component.toJson(), { sortKeys: true }), this.component.version);
    this.component.version = stat.version;
  }

  async unregister(): Promise<void> {
    this.unregistered = true;
    this.client.off('connected', this.onNewSession);
    const path = this.path;
    if (!path) return;
    try {
      await this.client.delete(path);
    } catch {
      // Gone with the session already.
    }
  }
}
