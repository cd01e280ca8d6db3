import { setTimeout as sleep } from 'node:timers/promises';
import { NotFoundError, type InstanceListing, type Logger, type StateMachine } from '@nodepool/core';
import { AzureApiError } from './azure-errors.js';
import type { AzureClient } from './client.js';
import { isAzureInstanceView } from './instance.js';
import { names } from './vm-request.js';

export type AzureDeleteState = 'start' | 'deleting vm' | 'deleting nic' | 'deleting public IPs' | 'deleting disk' | 'complete';

/** Azure's answers that mean "not yet": a conflicting operation, a resource still attached. */
const BUSY = new Set(['Conflict', 'AnotherOperationInProgress', 'RetryableError', 'NicInUse', 'PublicIPAddressCannotBeDeleted', 'InUseNetworkInterfaceCannotBeDeleted', 'OperationNotAllowed']);

/**
 * Deletes one node in 9.0.0's order: the VM (done when the kit's shared listing no longer shows
 * it), its NIC, its public IPs, then its OS disk unless Azure deletes it with the VM. Each piece
 * already gone counts as deleted; one Azure refuses for now (a conflict, still attached) is tried
 * again a second later.
 */
export class AzureDeleteStateMachine implements StateMachine<void> {
  state: AzureDeleteState = 'start';
  private osDisk: string | null = null;

  constructor(
    readonly externalId: string,
    private readonly options: {
      client: Pick<AzureClient, 'deleteVirtualMachine' | 'deleteNetworkInterface' | 'deletePublicIpAddress' | 'deleteDisk'>;
      resourceGroup: string;
      instances: InstanceListing;
      log: Logger;
    },
  ) {}

  get complete(): boolean {
    return this.state === 'complete';
  }

  async advance(): Promise<void> {
    const { client, resourceGroup, instances } = this.options;
    const name = this.externalId;
    if (this.state === 'start') {
      const vm = await instances.get(name);
      if (isAzureInstanceView(vm) && !vm.osDiskDeletedWithVm) this.osDisk = vm.osDiskName;
      if (vm) {
        if (!(await this.tolerate(() => client.deleteVirtualMachine(resourceGroup, name)))) return;
        this.state = 'deleting vm';
      } else {
        this.options.log.debug('Azure VM not listed; deleting what else the node had', { vm: name });
        this.state = 'deleting nic';
      }
    }

    if (this.state === 'deleting vm') {
      if (await instances.get(name)) return;
      this.state = 'deleting nic';
    }

    if (this.state === 'deleting nic') {
      if (!(await this.tolerate(async () => (await client.deleteNetworkInterface(resourceGroup, names.nic(name))).wait()))) return;
      this.state = 'deleting public IPs';
    }

    if (this.state === 'deleting public IPs') {
      const remove = (version: 'IPv4' | 'IPv6') => this.tolerate(async () => (await client.deletePublicIpAddress(resourceGroup, names.publicIp(name, version))).wait());
      const [v4, v6] = await Promise.all([remove('IPv4'), remove('IPv6')]);
      if (!v4 || !v6) return;
      this.state = 'deleting disk';
    }

    if (this.state === 'deleting disk') {
      const disk = this.osDisk;
      if (disk && !(await this.tolerate(async () => (await client.deleteDisk(resourceGroup, disk)).wait()))) return;
      this.state = 'complete';
    }
  }

  /** Runs a deletion: true when done or already gone, false when Azure said "not yet" (after a pause). */
  private async tolerate(remove: () => Promise<unknown>): Promise<boolean> {
    try {
      await remove();
      return true;
    } catch (error) {
      if (error instanceof NotFoundError) return true;
      if (error instanceof AzureApiError && (error.status === 409 || BUSY.has(error.code))) {
        this.options.log.debug('Azure is busy with a resource of the node; trying again', { error: error.message });
        await sleep(1_000);
        return false;
      }
      throw error;
    }
  }
}
