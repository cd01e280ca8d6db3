import type { NovaServerCreate } from './client/nova.js';
import type { OpenStackLabelConfig, OpenStackPoolConfig } from './config.js';

export interface LaunchRequestOptions {
  readonly hostname: string;
  readonly label: OpenStackLabelConfig;
  readonly pool: OpenStackPoolConfig;
  readonly flavorId: string;
  /** The Glance image to boot (or to make the boot volume from). */
  readonly imageId: string;
  /** `config-drive` of the diskimage or cloud image; null leaves it to the cloud. */
  readonly configDrive: boolean | null;
  /** Network IDs of the label's `networks`, in order. */
  readonly networkIds: readonly string[];
  /** Whether Nova wants `networks: auto` when none is named (microversion 2.37 on). */
  readonly autoNetworks: boolean;
  /** The availability zone of the node set, if chosen. */
  readonly az: string | undefined;
  readonly metadata: Readonly<Record<string, string>>;
}

/**
 * The `server` of Nova's `POST /servers` for one node, as openstacksdk's `create_server` builds
 * it for Nodepool: name, image and flavor, one server, the label's networks (else `auto`), key,
 * zone, security groups by name, user data in base64, config drive only when asked for, the
 * metadata; booted from volume, a volume of `volume-size` GiB made from the image and deleted
 * with the server.
 */
export function serverCreateRequest(options: LaunchRequestOptions): NovaServerCreate {
  const { label, pool } = options;
  const request: Record<string, unknown> = {
    name: options.hostname,
    imageRef: label.bootFromVolume ? '' : options.imageId,
    flavorRef: options.flavorId,
    min_count: 1,
    max_count: 1,
    metadata: options.metadata,
  };
  if (options.networkIds.length > 0) request.networks = options.networkIds.map((uuid) => ({ uuid }));
  else if (options.autoNetworks) request.networks = 'auto';
  if (label.keyName) request.key_name = label.keyName;
  if (options.az) request.availability_zone = options.az;
  if (pool.securityGroups.length > 0) request.security_groups = pool.securityGroups.map((name) => ({ name }));
  if (label.userdata) request.user_data = Buffer.from(label.userdata, 'utf8').toString('base64');
  // Sent only when true, as openstacksdk does: false and unset both leave it to the cloud.
  if (options.configDrive) request.config_drive = true;
  if (label.bootFromVolume) {
    request.block_device_mapping_v2 = [
      { boot_index: '0', delete_on_termination: true, destination_type: 'volume', uuid: options.imageId, source_type: 'image', volume_size: String(label.volumeSize) },
    ];
  }
  return request;
}
