import type { OpenStackSession } from './session.js';

export interface CinderVolume {
  readonly id: string;
  readonly name: string | null;
  /** `creating`, `available`, `in-use`, `deleting`, `error`, … */
  readonly status: string;
  /** GiB. */
  readonly size: number;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly attachments?: readonly { readonly server_id?: string }[];
}

/** Cinder's absolute limits; -1 is unlimited. */
export interface CinderLimits {
  readonly maxTotalVolumes: number;
  readonly maxTotalVolumeGigabytes: number;
}

/** Cinder (block-storage v3): volumes (listed in full, tagged with metadata, deleted) and limits. */
export class Cinder {
  constructor(private readonly session: OpenStackSession) {}

  async listVolumes(): Promise<CinderVolume[]> {
    const volumes: CinderVolume[] = [];
    let path = '/volumes/detail';
    for (let pages = 0; pages < 10_000; pages++) {
      const answer = await this.session.call<{ volumes?: CinderVolume[]; volumes_links?: { rel?: string; href?: string }[] }>('block-storage', { method: 'GET', path });
      const page = answer.data.volumes ?? [];
      volumes.push(...page);
      const next = answer.data.volumes_links?.find((link) => link.rel === 'next')?.href;
      if (!next || page.length === 0) break;
      path = next;
    }
    return volumes;
  }

  /** Adds `metadata` to the volume's (existing keys keep their values unless named). */
  async setVolumeMetadata(id: string, metadata: Readonly<Record<string, string>>): Promise<void> {
    await this.session.call('block-storage', { method: 'POST', path: `/volumes/${encodeURIComponent(id)}/metadata`, json: { metadata } });
  }

  async deleteVolume(id: string): Promise<void> {
    await this.session.call('block-storage', { method: 'DELETE', path: `/volumes/${encodeURIComponent(id)}` });
  }

  async limits(): Promise<CinderLimits> {
    const answer = await this.session.call<{ limits?: { absolute?: CinderLimits } }>('block-storage', { method: 'GET', path: '/limits' });
    const absolute = answer.data.limits?.absolute;
    return { maxTotalVolumes: absolute?.maxTotalVolumes ?? -1, maxTotalVolumeGigabytes: absolute?.maxTotalVolumeGigabytes ?? -1 };
  }
}
