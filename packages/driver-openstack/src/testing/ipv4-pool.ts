/** `a.b.c.d` as a number. */
export function ipv4ToNumber(address: string): number {
  return address.split('.').reduce((sum, part) => sum * 256 + Number(part), 0);
}

export function numberToIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

/**
 * The free host addresses of one IPv4 CIDR: the gateway (the first host) and the network and
 * broadcast addresses are never handed out; a released address is handed out again, lowest first.
 */
export class Ipv4Pool {
  private readonly first: number;
  private readonly last: number;
  private readonly used = new Set<number>();
  private next: number;

  constructor(cidr: string) {
    const [network, bits] = cidr.split('/');
    const size = 2 ** (32 - Number(bits));
    const base = ipv4ToNumber(network!);
    this.first = base + 2;
    this.last = base + size - 2;
    this.next = this.first;
  }

  /** The gateway: the subnet's first host. */
  static gatewayOf(cidr: string): string {
    return numberToIpv4(ipv4ToNumber(cidr.split('/')[0]!) + 1);
  }

  allocate(): string | undefined {
    for (let tried = 0, candidate = this.next; tried <= this.last - this.first; tried++, candidate = candidate >= this.last ? this.first : candidate + 1) {
      if (this.used.has(candidate)) continue;
      this.used.add(candidate);
      this.next = candidate >= this.last ? this.first : candidate + 1;
      return numberToIpv4(candidate);
    }
    return undefined;
  }

  release(address: string): void {
    this.used.delete(ipv4ToNumber(address));
  }
}
