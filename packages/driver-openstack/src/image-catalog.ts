import { NotFoundError, type Logger } from '@nodepool/core';
import type { Glance, GlanceImage } from './client/glance.js';

/** How long a cloud image found missing is believed missing before it is looked up again (the original's IMAGE_CHECK_TIMEOUT). */
const RECHECK_MISSING_MS = 300_000;

interface Lookup {
  readonly image: GlanceImage | null;
  readonly at: number;
}

/**
 * Cloud images by name or ID, looked up once (as the original's cached `get_image`): an active
 * image whose name, else whose ID, is the one given. One found missing is looked up again after
 * five minutes, so that an image uploaded later is seen; `invalidate` forgets everything (Nova
 * refused a launch with 400, which may mean an image changed).
 */
export class ImageCatalog {
  private readonly known = new Map<string, Lookup>();
  private readonly pending = new Map<string, Promise<GlanceImage | null>>();

  constructor(
    private readonly glance: Pick<Glance, 'listImages' | 'getImage'>,
    private readonly log: Logger,
    private readonly recheckMs = RECHECK_MISSING_MS,
  ) {}

  /** The active image named (or with the ID) `nameOrId`; null if there is none. */
  async find(nameOrId: string): Promise<GlanceImage | null> {
    const known = this.known.get(nameOrId);
    if (known && (known.image !== null || Date.now() - known.at < this.recheckMs)) return known.image;
    let lookup = this.pending.get(nameOrId);
    if (!lookup) {
      lookup = this.lookUp(nameOrId).finally(() => this.pending.delete(nameOrId));
      this.pending.set(nameOrId, lookup);
    }
    return lookup;
  }

  /**
   * Whether an image is known to exist, without waiting: true when found (or not looked up yet,
   * when the launch will find out), false when found missing. Starts a lookup if one is due.
   */
  exists(nameOrId: string): boolean {
    const known = this.known.get(nameOrId);
    if (!known || (known.image === null && Date.now() - known.at >= this.recheckMs)) {
      this.find(nameOrId).catch((error: unknown) => this.log.warn('could not look up a cloud image', { image: nameOrId, error: String(error) }));
    }
    return known === undefined || known.image !== null;
  }

  invalidate(): void {
    this.known.clear();
  }

  private async lookUp(nameOrId: string): Promise<GlanceImage | null> {
    const byName = await this.glance.listImages({ name: nameOrId, status: 'active' });
    if (byName.length > 1) throw new Error(`Multiple matches found for image ${nameOrId}`);
    let image: GlanceImage | null = byName[0] ?? null;
    if (!image) {
      try {
        const byId = await this.glance.getImage(nameOrId);
        image = byId.status === 'active' ? byId : null;
      } catch (error) {
        if (!(error instanceof NotFoundError)) throw error;
      }
    }
    this.known.set(nameOrId, { image, at: Date.now() });
    return image;
  }
}
