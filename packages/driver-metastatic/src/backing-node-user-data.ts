/** What a backing node's `user_data` says about its owner (a JSON string, as the original writes it). */
export interface BackingNodeUserData {
  /** `NodePool:metastatic:<provider>`. */
  readonly owner: string;
  /** The metastatic label it serves. */
  readonly label: string;
  /** Its slot count. */
  readonly slots: number;
  /** Given up after a key scan through it failed (Nodepool 10's key; absent otherwise). */
  readonly failed?: boolean;
}

/**
 * The `user_data` string of a backing node, byte for byte as Nodepool's `json.dumps` writes it
 * (`{"owner": "…", "label": "…", "slots": 2}`), so that either implementation reads the other's.
 */
export function formatBackingNodeUserData(data: BackingNodeUserData): string {
  const fields: [string, unknown][] = [
    ['owner', data.owner],
    ['label', data.label],
    ['slots', data.slots],
  ];
  if (data.failed) fields.push(['failed', true]);
  return `{${fields.map(([key, value]) => `${JSON.stringify(key)}: ${JSON.stringify(value)}`).join(', ')}}`;
}

/** The owner data of a node's `user_data`, if it is a backing node's; undefined otherwise. */
export function parseBackingNodeUserData(userData: unknown): BackingNodeUserData | undefined {
  // A string holding JSON, as the original writes it; Zuul's user_data (an object) is not ours.
  if (typeof userData !== 'string') return undefined;
  let data: unknown;
  try {
    data = JSON.parse(userData);
  } catch {
    return undefined;
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return undefined;
  const { owner, label, slots, failed } = data as Record<string, unknown>;
  if (typeof owner !== 'string' || typeof label !== 'string' || typeof slots !== 'number' || !Number.isInteger(slots)) return undefined;
  return { owner, label, slots, ...(failed === true ? { failed: true } : {}) };
}
