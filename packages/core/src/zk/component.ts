import type { ComponentKind } from './paths.js';

export type ComponentState = 'initializing' | 'running' | 'paused' | 'stopped';

/**
 * A component registration: `/nodepool/components/<kind>/<hostname><seq10>` (spec §8).
 * The record is kept as a whole (`content`): unknown keys written by newer peers survive our
 * rewrites, as they do in the original.
 */
export class Component {
  /** Znode name, e.g. `nl01.example.org0000000123`; empty until registered. */
  name = '';
  version = -1;
  content: Record<string, unknown>;

  constructor(kind: ComponentKind, content: Record<string, unknown> = {}) {
    // model_api is the integer 0: original peers compare it numerically.
    this.content = { kind, state: 'stopped', model_api: 0, ...content };
  }

  get kind(): ComponentKind {
    return this.content.kind as ComponentKind;
  }
  get hostname(): string {
    return typeof this.content.hostname === 'string' ? this.content.hostname : '';
  }
  get state(): ComponentState {
    return this.content.state as ComponentState;
  }
  /** Pool components: the pool worker ID, also used in `declined_by` and a node's `launcher`. */
  get id(): string | undefined {
    return typeof this.content.id === 'string' ? this.content.id : undefined;
  }
  get providerName(): string | undefined {
    return typeof this.content.provider_name === 'string' ? this.content.provider_name : undefined;
  }
  get supportedLabels(): string[] {
    return Array.isArray(this.content.supported_labels) ? this.content.supported_labels.filter((l): l is string => typeof l === 'string') : [];
  }
  /** Lower wins; defaults to 100 as the original does. */
  get priority(): number {
    return typeof this.content.priority === 'number' ? this.content.priority : 100;
  }
  get paused(): boolean {
    return this.content.paused === true;
  }

  static fromJson(kind: ComponentKind, name: string, json: Record<string, unknown>, version = -1): Component {
    const component = new Component(kind);
    component.content = { ...json };
    component.name = name;
    component.version = version;
    return component;
  }

  toJson(): Record<string, unknown> {
    return { ...this.content };
  }
}
