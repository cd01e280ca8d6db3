import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { OpenStackSession } from './session.js';

/** An image as Glance v2 describes it: its own fields and, at the top level, every property. */
export interface GlanceImage {
  readonly id: string;
  readonly name: string | null;
  /** `queued`, `saving`, `active`, `killed`, `deleted`, `pending_delete`, `deactivated`, `importing`. */
  readonly status: string;
  readonly visibility?: string;
  readonly owner?: string;
  readonly checksum?: string | null;
  readonly size?: number | null;
  readonly [property: string]: unknown;
}

/** Glance v2: images (listed in full, looked up by name or ID, created, uploaded, deleted). */
export class Glance {
  constructor(private readonly session: OpenStackSession) {}

  /** Every image matching the filters (Glance's: `name`, `status`, `owner`, `visibility`, …), all pages. */
  async listImages(filters: Readonly<Record<string, string>> = {}): Promise<GlanceImage[]> {
    const images: GlanceImage[] = [];
    let path = '/images';
    let query: Readonly<Record<string, string>> | undefined = { limit: '1000', ...filters };
    for (let pages = 0; pages < 10_000; pages++) {
      const answer = await this.session.call<{ images?: GlanceImage[]; next?: string }>('image', { method: 'GET', path, ...(query ? { query } : {}) });
      const page = answer.data.images ?? [];
      images.push(...page);
      const next = answer.data.next;
      if (!next || page.length === 0) break;
      // `next` is `/v2/images?marker=…`, relative to the service root's parent.
      path = next.replace(/^\/v2(\.\d+)?/, '');
      query = undefined;
    }
    return images;
  }

  async getImage(id: string): Promise<GlanceImage> {
    const answer = await this.session.call<GlanceImage>('image', { method: 'GET', path: `/images/${encodeURIComponent(id)}` });
    return answer.data;
  }

  /** Creates an image record (`queued`): name, formats, visibility and any string properties. */
  async createImage(body: Readonly<Record<string, unknown>>): Promise<GlanceImage> {
    const answer = await this.session.call<GlanceImage>('image', { method: 'POST', path: '/images', json: body });
    return answer.data;
  }

  /** Sends the image's data (`PUT /images/{id}/file`), streamed from `filename`; an hour per GiB, at least six. */
  async uploadImageData(id: string, filename: string): Promise<void> {
    const { size } = await stat(filename);
    await this.session.call('image', {
      method: 'PUT',
      path: `/images/${encodeURIComponent(id)}/file`,
      timeoutMs: Math.max(6, Math.ceil(size / 1024 ** 3)) * 3600_000,
      body: () => ({ data: Readable.toWeb(createReadStream(filename)) as ReadableStream, contentType: 'application/octet-stream' }),
    });
  }

  async deleteImage(id: string): Promise<void> {
    await this.session.call('image', { method: 'DELETE', path: `/images/${encodeURIComponent(id)}` });
  }
}
