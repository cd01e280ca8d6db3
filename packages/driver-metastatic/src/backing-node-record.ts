/** A slot asked for is taken already (a node record naming a slot another node holds). */
export class SlotTakenError extends Error {
  override readonly name = 'SlotTakenError';
}

/**
 * One backing node as this provider keeps it in memory: the request for it while it is being
 * launched, then its node ID, and which metastatic node holds each of its slots. ZooKeeper holds
 * only the backing node's owner, label and slot count (its `user_data`) and, on each metastatic
 * node, the backing node and slot (its `driver_data`); this record is rebuilt from those after a
 * restart.
 */
export class BackingNodeRecord {
  /** The backing node, once its request is fulfilled and the node claimed. */
  nodeId: string | null = null;
  /** Our request for it, until then. */
  requestId: string | null = null;
  /** Whether the request was seen in ZooKeeper (a request missing after that is gone). */
  requestSeen = false;
  /**
   * Its request failed, or the node is gone, no longer ours, or unreachable: no new slots, its
   * unused nodes are released and it is given up as soon as no slot is in use.
   */
  failed = false;
  /** When a slot was last freed (or the record made), on the provider's clock (ms). */
  lastUsed: number;
  /** The metastatic node holding each slot, or null. */
  readonly slots: (string | null)[];

  constructor(
    /** The metastatic label it serves. */
    readonly labelName: string,
    /** `max-parallel-jobs` when it was requested. */
    readonly slotCount: number,
    now: number,
  ) {
    this.slots = Array.from({ length: Math.max(slotCount, 0) }, () => null);
    this.lastUsed = now;
  }

  /** The node ID, or the request, for logs. */
  get name(): string {
    return this.nodeId ?? `request ${this.requestId ?? '(none)'}`;
  }

  hasAvailableSlot(): boolean {
    return !this.failed && this.slots.includes(null);
  }

  isEmpty(): boolean {
    return this.slots.every((slot) => slot === null);
  }

  backs(nodeId: string): boolean {
    return this.slots.includes(nodeId);
  }

  /** The metastatic nodes holding slots. */
  nodes(): string[] {
    return this.slots.filter((slot): slot is string => slot !== null);
  }

  /** Gives `nodeId` the first free slot, or slot `slot` (a node recovered from ZooKeeper). */
  allocateSlot(nodeId: string, slot?: number): number {
    const index = slot ?? this.slots.indexOf(null);
    if (index < 0 || index >= this.slots.length) throw new SlotTakenError(`backing node ${this.name} has no slot ${index}`);
    if (this.slots[index] !== null) throw new SlotTakenError(`slot ${index} of backing node ${this.name} is already allocated to node ${this.slots[index]}`);
    this.slots[index] = nodeId;
    return index;
  }

  /** Frees the slot of `nodeId`; returns it, or -1 if the node held none. */
  deallocateSlot(nodeId: string, now: number): number {
    const index = this.slots.indexOf(nodeId);
    if (index < 0) return -1;
    this.slots[index] = null;
    this.lastUsed = now;
    return index;
  }
}
