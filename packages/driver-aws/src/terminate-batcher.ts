import { NotFoundError } from '@nodepool/core';
import type { AwsClient } from './client.js';

/** AWS takes up to 1,000 IDs per TerminateInstances but recommends small batches (as the original). */
const MAX_BATCH = 50;

interface Batch {
  readonly ids: string[];
  readonly waiters: Map<string, { resolve: () => void; reject: (error: unknown) => void }[]>;
}

/**
 * Terminates instances in batches, as the original's delete thread does: every ID asked for
 * while a TerminateInstances call waits for its turn at the rate limiter goes with that call.
 * Under load, one call ends many instances and leaves the budget to RunInstances.
 */
export class TerminateBatcher {
  private open: Batch | undefined;

  constructor(private readonly client: Pick<AwsClient, 'terminateInstances'>) {}

  /** Resolves once EC2 accepted the termination; rejects with `NotFoundError` for an unknown ID. */
  terminate(instanceId: string): Promise<void> {
    return new Promise((resolve, reject) => {
      let batch = this.open;
      if (!batch || batch.ids.length >= MAX_BATCH) {
        const fresh: Batch = { ids: [], waiters: new Map() };
        this.open = batch = fresh;
        // A turn of the event loop first, so the deletes asked for together go together even
        // when the limiter has a slot free at once.
        setImmediate(() => void this.send(fresh));
      }
      if (!batch.waiters.has(instanceId)) {
        batch.ids.push(instanceId);
        batch.waiters.set(instanceId, []);
      }
      batch.waiters.get(instanceId)!.push({ resolve, reject });
    });
  }

  private async send(batch: Batch): Promise<void> {
    // Called when the limiter lets the call go: no ID joins the batch after that.
    const seal = (): readonly string[] => {
      if (this.open === batch) this.open = undefined;
      return batch.ids;
    };
    try {
      await this.client.terminateInstances(seal);
      for (const id of batch.ids) settle(batch, id);
    } catch (error) {
      if (!(error instanceof NotFoundError) || batch.ids.length === 1) {
        for (const id of batch.ids) settle(batch, id, error);
        return;
      }
      // One unknown ID fails them all: find out which, one by one.
      await Promise.all(
        batch.ids.map((id) =>
          this.client.terminateInstances([id]).then(
            () => settle(batch, id),
            (single: unknown) => settle(batch, id, single),
          ),
        ),
      );
    }
  }
}

function settle(batch: Batch, id: string, error?: unknown): void {
  for (const waiter of batch.waiters.get(id) ?? []) {
    if (error === undefined) waiter.resolve();
    else waiter.reject(error);
  }
}
