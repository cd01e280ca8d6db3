import type { Instance } from '../driver/adapter.js';
import type { LaunchContext, NodeRequestHandler } from '../driver/node-request-handler.js';
import type { StateMachineLabel, StateMachinePool } from '../driver/state-machine-config.js';
import { LaunchKeyscanError, LaunchTimeoutError, QuotaError } from '../errors.js';
import { HostUnreachableError, scanHostKeys, waitForPort } from '../nodescan/host-scan.js';
import type { Node } from '../zk/node.js';
import type { NodeRequest } from '../zk/node-request.js';
import { nodeMetadata, type StateMachineProvider } from './state-machine-provider.js';

/**
 * A state-machine pool's part in one request: node sets stay in one availability zone, and each
 * launch runs the adapter's create machine with retries that first unwind the failed attempt,
 * within launch-timeout and boot-timeout, then scans the host keys.
 */
export class StateMachineHandler implements NodeRequestHandler {
  /** The zone of the node set, fixed by its first node. */
  private zone: { value: string | undefined } | undefined;
  /** Per node: the image picked by setNodeMetadata, or why there is none. */
  private readonly images = new Map<Node, Promise<BootImage>>();

  constructor(
    private readonly provider: StateMachineProvider,
    private readonly pool: StateMachinePool,
    private readonly request: NodeRequest,
  ) {}

  checkReusableNode(node: Node): boolean {
    if (this.zone === undefined) {
      this.zone = { value: node.az ?? undefined };
      return true;
    }
    return this.zone.value === undefined || node.az === this.zone.value;
  }

  /** Zone, image and connection details go into the node's first write. */
  async setNodeMetadata(node: Node): Promise<void> {
    const label = this.labelOf(node);
    const image = this.imageFor(label);
    this.images.set(node, image);
    // A failure is the launch's to report; only fill in what is known.
    image.catch(() => undefined);
    try {
      this.zone ??= { value: await this.provider.pickZone(this.pool) };
      node.az = this.zone.value ?? null;
      const { imageId, username, pythonPath, shellType } = await image;
      node.imageId = imageId;
      node.username = username ?? label.username ?? 'zuul';
      node.pythonPath = pythonPath ?? label.pythonPath ?? 'auto';
      node.shellType = shellType ?? label.shellType ?? null;
    } catch {
      node.username = label.username ?? 'zuul';
    }
    node.connectionType = label.connectionType ?? 'ssh';
    node.connectionPort = label.connectionPort ?? (node.connectionType === 'winrm' ? 5986 : 22);
  }

  async launch(node: Node, context: LaunchContext): Promise<void> {
    const { provider } = this;
    const config = provider.config;
    const label = this.labelOf(node);
    const started = Date.now();
    const deadline = started + config.launchTimeout * 1000;
    const signal = AbortSignal.any([context.signal, provider.stopping]);

    if (!this.images.has(node)) await this.setNodeMetadata(node);
    const image = await this.images.get(node)!;
    this.images.delete(node);
    this.zone ??= { value: await provider.pickZone(this.pool) };

    for (let attempt = 1; ; attempt++) {
      const machine = provider.adapter.getCreateStateMachine({
        hostname: `np${node.id}`,
        label,
        imageExternalId: image.externalId,
        metadata: nodeMetadata(provider.name, this.pool.name, node.id),
        request: this.request,
        az: this.zone.value,
        instances: provider.listing,
        log: context.log,
      });
      let createdAt: number | undefined;
      try {
        const bootDeadline = (): number => Math.min(deadline, (createdAt ?? Date.now()) + config.bootTimeout * 1000);
        // Nodepool 9.0.0's meaning, where a driver asks for it: the machine has the whole
        // launch-timeout, and boot-timeout is the host-key scan's, from when the machine is done.
        const machineDeadline = config.bootTimeoutAfterReady ? () => deadline : bootDeadline;
        const progress = (state?: string): void => context.progress?.({ attempt, attempts: config.launchRetries, state });
        const booted = provider.runMachine(
          machine,
          machineDeadline,
          signal,
          async (externalId) => {
            createdAt = Date.now();
            // Stored at once, so whatever happens next the instance can be found and deleted.
            node.externalId = externalId;
            await context.store();
          },
          progress,
        );
        const instance = await booted.catch((error: unknown) => {
          if (error instanceof LaunchTimeoutError && createdAt !== undefined && Date.now() < deadline) {
            throw new LaunchTimeoutError(`the instance did not boot within boot-timeout (${config.bootTimeout} s)`, { cause: error });
          }
          throw error;
        });
        this.describe(node, instance);
        if (this.scansKeys(node, label)) {
          const scanDeadline = config.bootTimeoutAfterReady ? Math.min(deadline, Date.now() + config.bootTimeout * 1000) : bootDeadline();
          // Worth showing while the scan waits; otherwise `ready` follows at once and carries it.
          await context.store();
          progress('scanning host keys');
          await this.scanKeys(node, label, scanDeadline, signal, context);
        }
        return;
      } catch (error) {
        if (error instanceof QuotaError) provider.invalidateQuota();
        await this.unwind(machine.externalId ?? node.externalId ?? undefined, node, context);
        const final = error instanceof QuotaError || signal.aborted || attempt >= config.launchRetries || Date.now() > deadline;
        context.log.warn(final ? 'launch failed' : 'launch attempt failed; retrying', { attempt, of: config.launchRetries, error: String(error) });
        if (final) throw error;
      }
    }
  }

  private labelOf(node: Node): StateMachineLabel {
    const label = this.pool.labels.get(node.type[0]!);
    if (!label) throw new Error(`label ${node.type[0]} is not in pool ${this.pool.name}`);
    return label;
  }

  /** The image a label boots: a diskimage's newest ready upload here, or a cloud image. */
  private async imageFor(label: StateMachineLabel): Promise<BootImage> {
    if (!label.diskimage) return { externalId: undefined, imageId: label.cloudImage ?? null };
    const uploads = (await this.provider.context.zk.imageCache()).uploads({ image: label.diskimage, provider: this.provider.name });
    const upload = uploads.filter((candidate) => candidate.state === 'ready').sort((a, b) => b.stateTime - a.stateTime)[0];
    if (!upload) throw new Error(`no ready upload of diskimage ${label.diskimage} for provider ${this.provider.name}`);
    return { externalId: upload.externalId ?? undefined, imageId: upload.path, username: upload.username, pythonPath: upload.pythonPath, shellType: upload.shellType };
  }

  /** Copies what the cloud says about the instance onto the node. */
  private describe(node: Node, instance: Instance): void {
    const useInternal = this.pool.useInternalIp === true;
    node.externalId = instance.externalId;
    node.publicIpv4 = instance.publicIpv4 ?? null;
    node.publicIpv6 = instance.publicIpv6 ?? null;
    node.privateIpv4 = instance.privateIpv4 ?? null;
    node.interfaceIp = instance.interfaceIp ?? (useInternal ? node.privateIpv4 : (node.publicIpv4 ?? node.publicIpv6 ?? node.privateIpv4));
    if (useInternal && node.privateIpv4) node.interfaceIp = node.privateIpv4;
    node.cloud = instance.cloud ?? null;
    node.region = instance.region ?? null;
    node.az = instance.az ?? node.az;
    node.hostId = instance.hostId ?? null;
    node.driverData = instance.driverData ?? null;
    node.slot = instance.slot ?? null;
    if (instance.connectionPort !== undefined && instance.connectionPort !== null) node.connectionPort = instance.connectionPort;
    // What the instance says about connecting wins over the image's settings (as the original's
    // updateNodeFromInstance does for every such attribute the instance has).
    if (instance.username !== undefined) node.username = instance.username;
    if (instance.pythonPath !== undefined) node.pythonPath = instance.pythonPath;
    if (instance.shellType !== undefined) node.shellType = instance.shellType;
    if (instance.connectionType !== undefined) node.connectionType = instance.connectionType;
    if (instance.hostKeys !== undefined) node.hostKeys = [...instance.hostKeys];
    const quota = instance.getQuotaInformation?.();
    if (quota) node.resources = quota.toJson();
  }

  private scansKeys(node: Node, label: StateMachineLabel): boolean {
    return (label.hostKeyChecking ?? this.pool.hostKeyChecking ?? true) && !!node.interfaceIp;
  }

  private async scanKeys(node: Node, label: StateMachineLabel, deadline: number, signal: AbortSignal, context: LaunchContext): Promise<void> {
    if (!node.interfaceIp) return;
    const port = typeof node.connectionPort === 'number' ? node.connectionPort : 22;
    const timeoutMs = Math.max(deadline - Date.now(), 1_000);
    try {
      if (node.connectionType === 'winrm') await waitForPort(node.interfaceIp, port, { timeoutMs, signal });
      else node.hostKeys = await scanHostKeys(node.interfaceIp, port, { timeoutMs, signal });
    } catch (error) {
      if (error instanceof HostUnreachableError) {
        // Awaited, so the adapter sees the instance before the attempt is unwound.
        await Promise.resolve(this.provider.adapter.notifyNodescanFailure?.(label, node.externalId ?? '')).catch((notifyError: unknown) =>
          context.log.warn('the adapter failed on a key scan failure', { error: String(notifyError) }),
        );
        throw new LaunchKeyscanError(`no SSH host keys from ${node.interfaceIp}:${port} within boot-timeout`, { cause: error });
      }
      throw error;
    }
  }

  /** Deletes what a failed attempt left behind, before the next attempt or the failure. */
  private async unwind(externalId: string | undefined, node: Node, context: LaunchContext): Promise<void> {
    if (!externalId) return;
    try {
      await this.provider.deleteInstance(externalId, context.log);
      node.externalId = null;
      await context.store().catch(() => undefined);
    } catch (error) {
      // The node keeps the ID: the deleted-node worker, or leak cleanup, finishes the job.
      context.log.warn('could not delete the instance of a failed attempt', { externalId, error: String(error) });
    }
  }
}

/** What a launch boots from. */
interface BootImage {
  /** The cloud's image ID, when a diskimage upload is booted. */
  externalId: string | undefined;
  /** Written to the node's `image_id`. */
  imageId: string | null;
  username?: string | null;
  pythonPath?: string | null;
  shellType?: string | null;
}
