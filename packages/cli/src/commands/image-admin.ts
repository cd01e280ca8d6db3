import { withZooKeeper, type CommandContext } from '../cli-context.js';
import { CommandFailure } from '../program-types.js';

/** `nodepool image-build IMAGE`: asks the builders for a build of a configured diskimage. */
export async function imageBuildCommand(context: CommandContext, image: string): Promise<number> {
  await withZooKeeper(context, async (zk, config) => {
    const diskimage = config.diskimages.get(image);
    if (!diskimage) throw new CommandFailure(`Trying to build a non disk-image-builder image: ${image}`);
    if (diskimage.pause) throw new CommandFailure(`Skipping build request for image ${image}; paused`);
    await zk.setBuildRequest(image, true);
  });
  return 0;
}

/** `nodepool image-pause IMAGE` / `image-unpause IMAGE`: sets or clears the image's pause flag. */
export async function imagePauseCommand(context: CommandContext, image: string, paused: boolean): Promise<number> {
  await withZooKeeper(context, (zk) => zk.setImagePaused(image, paused));
  return 0;
}

/** `nodepool image-delete --provider --image --build-id --upload-id`: marks an upload for deletion. */
export async function imageDeleteCommand(context: CommandContext, options: { provider: string; image: string; buildId: string; uploadId: string }): Promise<number> {
  await withZooKeeper(context, async (zk) => {
    const upload = await zk.getUpload(options.image, options.buildId, options.provider, options.uploadId);
    if (!upload) throw new CommandFailure('Image upload not found');
    if (upload.state === 'uploading') throw new CommandFailure('Cannot delete because image upload in progress');
    upload.setState('deleting');
    await zk.storeUpload(upload);
  });
  return 0;
}

/** `nodepool dib-image-delete IMAGE-BUILD`: marks a build (and so its uploads) for deletion. */
export async function dibImageDeleteCommand(context: CommandContext, id: string): Promise<number> {
  const dash = id.lastIndexOf('-');
  // Build IDs never contain "-": the image name is everything before the last one.
  if (dash <= 0 || dash === id.length - 1) throw new CommandFailure(`${id} is not a build ID of the form <image>-<build-id> (see "nodepool dib-image-list")`);
  const image = id.slice(0, dash);
  const buildId = id.slice(dash + 1);
  await withZooKeeper(context, async (zk) => {
    const build = await zk.getBuild(image, buildId);
    if (!build) throw new CommandFailure(`Build ${id} not found`);
    if (build.state === 'building') throw new CommandFailure('Cannot delete a build in progress');
    build.setState('deleting');
    await zk.storeBuild(build);
  });
  return 0;
}
