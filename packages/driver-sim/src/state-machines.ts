import { LaunchStatusError, NotFoundError, type Instance, type InstanceListing, type Logger, type StateMachine } from '@nodepool/core';
import type { SimClient } from './client.js';
import { isSimInstanceView, toInstance } from './instance.js';

export type SimCreateState = 'start' | 'creating instance' | 'waiting for instance' | 'complete';

export interface SimCreateStateMachineOptions {
  readonly client: Pick<SimClient, 'createInstance'>;
  /** The image to boot, looked up once at the start (null: none). */
  readonly resolveImage: () => Promise<string | null>;
  readonly hostname: string;
  readonly flavor: string;
  readonly az: string | undefined;
  /** Nodepool's tags, put on the instance. */
  readonly metadata: Readonly<Record<string, string>>;
  readonly instances: InstanceListing;
  readonly log: Logger;
}

/**
 * Creates one instance: finds the image, asks for the instance (its ID is known from then on)
 * and waits in the kit's shared listing for it to run. With no boot delay the cloud answers
 * the create with a running instance, and one `advance()` does it all.
 */
export class SimCreateStateMachine implements StateMachine<Instance> {
  state: SimCreateState = 'start';
  externalId: string | undefined;
  private imageId: string | null = null;
  private result: Instance | undefined;

  constructor(private readonly options: SimCreateStateMachineOptions) {}

  get complete(): boolean {
    return this.state === 'complete';
  }

  async advance(): Promise<Instance | undefined> {
    if (this.state === 'start') {
      this.imageId = await this.options.resolveImage();
      this.state = 'creating instance';
    }

    if (this.state === 'creating instance') {
      const { hostname, flavor, az, metadata } = this.options;
      const raw = await this.options.client.createInstance({ name: hostname, flavor, imageId: this.imageId, az: az ?? null, metadata });
      this.externalId = raw.id;
      this.options.log.debug('sim instance created', { hostname, externalId: raw.id, status: raw.status });
      this.state = 'waiting for instance';
      // The create's answer is as fresh as a listing; no need to wait for one if it runs already.
      this.settle(toInstance(raw));
    }

    if (this.state === 'waiting for instance') {
      const externalId = this.externalId;
      if (externalId === undefined) throw new Error('sim create machine is waiting without an instance ID (a bug)');
      const instance = await this.options.instances.get(externalId);
      if (!instance) throw new LaunchStatusError(`sim instance ${externalId} (${this.options.hostname}) disappeared while booting`);
      this.settle(instance);
    }

    return this.state === 'complete' ? this.result : undefined;
  }

  /** Completes on a running instance; fails on one in error or being deleted; else waits. */
  private settle(instance: Instance): void {
    const status = isSimInstanceView(instance) ? instance.status : instance.deleted ? 'deleting' : instance.ready ? 'running' : 'building';
    if (status === 'error' || status === 'deleting') {
      throw new LaunchStatusError(`sim instance ${instance.externalId} (${this.options.hostname}) is in status ${status}`);
    }
    if (status === 'running') {
      this.result = instance;
      this.state = 'complete';
    }
  }
}

export type SimDeleteState = 'start' | 'waiting for deletion' | 'complete';

export interface SimDeleteStateMachineOptions {
  readonly client: Pick<SimClient, 'deleteInstance'>;
  readonly instances: InstanceListing;
  readonly log: Logger;
}

/**
 * Deletes one instance, then waits until the shared listing no longer shows it. An instance the
 * cloud does not know (404) counts as deleted.
 */
export class SimDeleteStateMachine implements StateMachine<void> {
  state: SimDeleteState = 'start';

  constructor(
    readonly externalId: string,
    private readonly options: SimDeleteStateMachineOptions,
  ) {}

  get complete(): boolean {
    return this.state === 'complete';
  }

  async advance(): Promise<void> {
    if (this.state === 'start') {
      try {
        await this.options.client.deleteInstance(this.externalId);
        this.state = 'waiting for deletion';
      } catch (error) {
        if (!(error instanceof NotFoundError)) throw error;
        this.options.log.debug('sim instance already gone', { externalId: this.externalId });
        this.state = 'complete';
      }
    }

    if (this.state === 'waiting for deletion') {
      if ((await this.options.instances.get(this.externalId)) === undefined) this.state = 'complete';
    }
  }
}
