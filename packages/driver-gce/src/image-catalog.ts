import type { GceClient } from './client.js';
import type { GceCloudImageConfig } from './config.js';

/** How long a family's newest image is taken as current before it is looked up again. */
const FAMILY_TTL_MS = 5 * 60_000;

/**
 * The `sourceImage` a cloud image boots: its `image-id` as written (a URL or
 * `projects/P/global/images/NAME`), or the newest image of its `image-family` in its
 * `image-project` (default: the provider's project), looked up again every five minutes so a
 * new image of the family is taken up.
 */
export class ImageCatalog {
  private readonly families = new Map<string, { at: number; link: Promise<string> }>();

  constructor(
    private readonly client: Pick<GceClient, 'getImageFromFamily'>,
    private readonly defaultProject: string,
  ) {}

  async sourceImage(image: GceCloudImageConfig): Promise<string> {
    if (image.imageId) return image.imageId;
    if (!image.imageFamily) throw new Error(`cloud image ${image.name} has neither image-id nor image-family`);
    const project = image.imageProject ?? this.defaultProject;
    const key = `${project}/${image.imageFamily}`;
    const cached = this.families.get(key);
    if (cached && Date.now() - cached.at < FAMILY_TTL_MS) return cached.link;
    const link = this.client.getImageFromFamily(project, image.imageFamily).then((found) => found.selfLink ?? `projects/${project}/global/images/${found.name ?? ''}`);
    this.families.set(key, { at: Date.now(), link });
    link.catch(() => this.families.delete(key));
    return link;
  }
}
