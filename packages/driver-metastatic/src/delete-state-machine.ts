import type { StateMachine } from '@nodepool/core';
import type { BackingNodes } from './backing-nodes.js';

export type MetastaticDeleteState = 'start' | 'complete';

/**
 * "Deletes" a metastatic node: frees its slot. The backing node stays for its label's grace
 * time (the periodic pass releases it once no slot is in use).
 */
export class MetastaticDeleteStateMachine implements StateMachine<void> {
  state: MetastaticDeleteState = 'start';

  constructor(
    readonly externalId: string,
    private readonly backing: Pick<BackingNodes, 'deallocate'>,
  ) {}

  get complete(): boolean {
    return this.state === 'complete';
  }

  async advance(): Promise<void> {
    if (this.state === 'start') {
      await this.backing.deallocate(this.externalId);
      this.state = 'complete';
    }
  }
}
