/**
 * An amount of quota: cores, instances, RAM (MiB) and any other resource a cloud counts.
 * Missing resources count as `default` (0 for usage, Infinity for limits).
 */
export class QuotaInformation {
  readonly resources: Record<string, number>;

  constructor(
    resources: { cores?: number; instances?: number; ram?: number; [resource: string]: number | undefined } = {},
    readonly fallback = 0,
  ) {
    this.resources = {};
    for (const [name, amount] of Object.entries(resources)) if (amount !== undefined) this.resources[name] = amount;
  }

  /** Unlimited: every resource is Infinity. */
  static unlimited(): QuotaInformation {
    return new QuotaInformation({}, Infinity);
  }

  get(resource: string): number {
    return this.resources[resource] ?? this.fallback;
  }

  /** Names of every resource either side counts. */
  private static names(a: QuotaInformation, b: QuotaInformation): Set<string> {
    return new Set([...Object.keys(a.resources), ...Object.keys(b.resources)]);
  }

  add(other: QuotaInformation): QuotaInformation {
    const sum: Record<string, number> = {};
    for (const name of QuotaInformation.names(this, other)) sum[name] = this.get(name) + other.get(name);
    return new QuotaInformation(sum, this.fallback + other.fallback);
  }

  subtract(other: QuotaInformation): QuotaInformation {
    const difference: Record<string, number> = {};
    for (const name of QuotaInformation.names(this, other)) difference[name] = this.get(name) - other.get(name);
    return new QuotaInformation(difference, this.fallback - other.fallback || (this.fallback === Infinity ? Infinity : 0));
  }

  /** This amount `times` over (a node set of identical nodes). */
  multiply(times: number): QuotaInformation {
    return new QuotaInformation(Object.fromEntries(Object.entries(this.resources).map(([name, amount]) => [name, amount * times])), this.fallback);
  }

  /** Whether `this` fits within `limits`: every resource at or below its limit. */
  fitsWithin(limits: QuotaInformation): boolean {
    for (const name of QuotaInformation.names(this, limits)) if (this.get(name) > limits.get(name)) return false;
    return true;
  }

  /** Whether no resource is negative. */
  nonNegative(): boolean {
    return Object.values(this.resources).every((amount) => amount >= 0) && this.fallback >= 0;
  }

  /** The JSON a node record keeps in `resources`. */
  toJson(): Record<string, number> {
    return { ...this.resources };
  }
}
