import { randomUUID } from 'node:crypto';
import { LaunchStatusError, QuotaError, type Instance, type InstanceListing, type Logger, type StateMachine } from '@nodepool/core';
import type { GceClient, GceInstanceData, GceOperation } from './client.js';
import { isGceInstanceView } from './instance.js';

export type GceCreateState = 'start' | 'creating instance' | 'complete';

export interface GceCreateStateMachineOptions {
  readonly client: Pick<GceClient, 'insertInstance' | 'getOperation'>;
  /** The insert body, built once the image and machine type are known. */
  readonly body: () => Promise<GceInstanceData>;
  readonly hostname: string;
  readonly instances: InstanceListing;
  readonly log: Logger;
  /** How long a successful insert's instance may be missing from listings; default 60 s. */
  readonly listingGraceMs?: number;
}

/**
 * Creates one GCE instance, named after the node (`np<id>`, its external ID from the start, as
 * in 9.0.0), and waits in the kit's shared listing until it is RUNNING. Only while the listing
 * does not show it is its zone operation read: that is where Compute reports an insert that
 * failed after being accepted (`QUOTA_EXCEEDED` aborts the launch, anything else fails it).
 */
export class GceCreateStateMachine implements StateMachine<Instance> {
  state: GceCreateState = 'start';
  externalId: string | undefined;
  private operation: GceOperation | undefined;
  private operationDoneAt: number | undefined;
  private result: Instance | undefined;

  constructor(private readonly options: GceCreateStateMachineOptions) {}

  get complete(): boolean {
    return this.state === 'complete';
  }

  async advance(): Promise<Instance | undefined> {
    const { client, hostname, log } = this.options;
    if (this.state === 'start') {
      const body = await this.options.body();
      // Named before the insert, so that whatever happens next the instance can be found.
      this.externalId = hostname;
      // One request ID per attempt: a request repeated after a network error starts nothing new.
      this.operation = await client.insertInstance(body, randomUUID());
      log.debug('GCE instance insert accepted', { hostname, operation: this.operation.name });
      this.state = 'creating instance';
      this.checkOperation(this.operation);
      // Back to the kit at once, so it stores the external ID before the wait.
      return undefined;
    }

    if (this.state === 'creating instance') {
      const instance = await this.options.instances.get(hostname);
      if (instance) {
        const status = isGceInstanceView(instance) ? instance.status : instance.ready ? 'RUNNING' : 'PROVISIONING';
        if (status === 'RUNNING') {
          this.result = instance;
          this.state = 'complete';
        } else if (status === 'TERMINATED') {
          const why = isGceInstanceView(instance) && instance.statusMessage ? `: ${instance.statusMessage}` : '';
          throw new LaunchStatusError(`GCE instance ${hostname} is TERMINATED${why}`);
        }
      } else if (this.operation?.name) {
        this.operation = await client.getOperation(this.operation.name);
        this.checkOperation(this.operation);
      }
    }

    return this.state === 'complete' ? this.result : undefined;
  }

  /** Throws for an operation that ended in an error; notes when a successful one ended. */
  private checkOperation(operation: GceOperation): void {
    if (operation.status !== 'DONE') return;
    const errors = operation.error?.errors ?? [];
    if (errors.length > 0) {
      const text = errors.map((error) => `${error.code ?? ''}: ${error.message ?? ''}`).join('; ');
      const message = `GCE could not create instance ${this.options.hostname} (operation ${operation.name ?? ''}): ${text}`;
      if (errors.some((error) => error.code === 'QUOTA_EXCEEDED')) throw new QuotaError(message);
      throw new LaunchStatusError(message);
    }
    this.operationDoneAt ??= Date.now();
    if (Date.now() - this.operationDoneAt > (this.options.listingGraceMs ?? 60_000)) {
      throw new LaunchStatusError(`GCE instance ${this.options.hostname} was created but is not listed`);
    }
  }
}
