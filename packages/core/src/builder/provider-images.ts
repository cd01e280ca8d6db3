import type { NodepoolConfig } from '../config/nodepool-config.js';
import type { ProviderConfig } from '../driver/provider-config.js';

/** How nodepool-builder treats one provider's `diskimages:` entry. */
export interface ProviderImageSettings {
  /** `pause: true` on the provider's entry: no new uploads of it there. */
  readonly pause: boolean;
  /** Metadata the provider adds to the image's (`meta` for OpenStack, `tags` for AWS and Azure). */
  readonly metadata: Readonly<Record<string, unknown>>;
}

/**
 * The builder-facing settings of a provider, read from its typed config. Drivers describe them
 * with the optional `ProviderConfig` fields `imageFormat`, `imageNameFormat` and
 * `postUploadHook`, and their per-image entries with a map named `diskimageSettings` or
 * `providerDiskimages` (entries with `pause` and `meta` or `tags`). Defaults are the original's
 * for OpenStack: qcow2 and `{image_name}-{timestamp}`.
 */
export function providerUploadSettings(config: ProviderConfig): { imageFormat: string; imageNameFormat: string; postUploadHook: string | null } {
  return {
    imageFormat: config.imageFormat ?? 'qcow2',
    imageNameFormat: config.imageNameFormat ?? '{image_name}-{timestamp}',
    postUploadHook: config.postUploadHook ?? null,
  };
}

/** The provider's settings for one of its diskimages. */
export function providerImageSettings(config: ProviderConfig, image: string): ProviderImageSettings {
  const maps = config as unknown as { diskimageSettings?: unknown; providerDiskimages?: unknown };
  const map = maps.diskimageSettings instanceof Map ? maps.diskimageSettings : maps.providerDiskimages instanceof Map ? maps.providerDiskimages : undefined;
  const entry = map?.get(image) as { pause?: unknown; meta?: unknown; tags?: unknown } | undefined;
  const metadata = (entry?.meta ?? entry?.tags ?? {}) as Record<string, unknown>;
  return { pause: entry?.pause === true, metadata: metadata ?? {} };
}

/**
 * The formats a diskimage is built in: its `formats`, plus the image format of every provider
 * that lists it (the original adds each provider's format to the diskimage as it loads the
 * provider). Sorted; empty means the builder does not know what to make and skips the image.
 */
export function diskimageFormats(config: NodepoolConfig, image: string): string[] {
  const formats = new Set(config.diskimages.get(image)?.formats ?? []);
  for (const provider of config.providers.values()) {
    if (provider.diskimages.includes(image)) formats.add(providerUploadSettings(provider).imageFormat);
  }
  return [...formats].sort();
}

/**
 * `str.format` of the original for the cloud image name: `{image_name}`, `{upload_id}` and
 * `{timestamp}` are replaced (`{{`/`}}` are literal braces); any other field is an error, as
 * Python's KeyError would be.
 */
export function formatImageName(format: string, fields: { image_name: string; upload_id: string; timestamp: string }): string {
  return format.replace(/\{\{|\}\}|\{([^{}]*)\}/g, (whole, name: string | undefined) => {
    if (whole === '{{') return '{';
    if (whole === '}}') return '}';
    if (name !== undefined && name in fields) return fields[name as keyof typeof fields];
    throw new Error(`image-name-format ${JSON.stringify(format)} names an unknown field {${name}}`);
  });
}
