/** What a reload does to nodes, by kind, for `nodepool config-plan`. */
export type NodeEffectKind =
  /** New min-ready nodes that will be requested. */
  | 'launch'
  /** Nodes the launcher will delete (a lowered max-ready-age or max-hold-age). */
  | 'delete'
  /** Static-like nodes that will be registered (a new host, more slots). */
  | 'register'
  /** Ready registered nodes that will be deregistered (a removed host, fewer slots). */
  | 'deregister'
  /** Ready nodes that stay although no longer wanted (a lowered min-ready): 9.0.0 keeps them. */
  | 'keep'
  /** Nodes in use that are left alone until returned; the note says what happens then. */
  | 'in-use'
  /** Nodes no launcher will touch any longer (their provider, pool or label is gone). */
  | 'stranded';

/** One consequence of a reload for a set of nodes. */
export interface NodeEffect {
  readonly kind: NodeEffectKind;
  /** How many nodes: the length of `nodes`, or for launches and registrations the number to come. */
  readonly count: number;
  /** IDs of the existing nodes concerned (none for launches and registrations). */
  readonly nodes: readonly string[];
  readonly label?: string | undefined;
  readonly provider?: string | undefined;
  readonly pool?: string | undefined;
  /** Why, in words: `min-ready 1 → 3, 1 ready now`, `its host is no longer configured`. */
  readonly reason: string;
}
