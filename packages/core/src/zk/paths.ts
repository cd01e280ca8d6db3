/**
 * Znode paths of Nodepool's ZooKeeper tree (protocol spec §3). Every path is relative to the
 * configured chroot.
 */
export const ZkPaths = {
  root: '/nodepool',
  requests: '/nodepool/requests',
  requestLocks: '/nodepool/requests-lock',
  nodes: '/nodepool/nodes',
  images: '/nodepool/images',
  components: '/nodepool/components',
  statsElection: '/nodepool/elections/stats',
} as const;

export type ComponentKind = 'launcher' | 'pool' | 'builder';

export const nodePath = (nodeId: string): string => `${ZkPaths.nodes}/${nodeId}`;
export const nodeLockPath = (nodeId: string): string => `${ZkPaths.nodes}/${nodeId}/lock`;
export const requestPath = (requestId: string): string => `${ZkPaths.requests}/${requestId}`;
export const requestLockPath = (requestId: string): string => `${ZkPaths.requestLocks}/${requestId}`;
export const componentsPath = (kind: ComponentKind): string => `${ZkPaths.components}/${kind}`;

export const imagePath = (image: string): string => `${ZkPaths.images}/${image}`;
export const imagePausePath = (image: string): string => `${imagePath(image)}/pause`;
export const imageBuildRequestPath = (image: string): string => `${imagePath(image)}/request-build`;
export const imageBuildsPath = (image: string): string => `${imagePath(image)}/builds`;
export const imageBuildLockPath = (image: string): string => `${imageBuildsPath(image)}/lock`;
export const buildPath = (image: string, buildId: string): string => `${imageBuildsPath(image)}/${buildId}`;
export const buildLockPath = (image: string, buildId: string): string => `${buildPath(image, buildId)}/lock`;
export const uploadsPath = (image: string, buildId: string, provider: string): string =>
  `${buildPath(image, buildId)}/providers/${provider}/images`;
export const uploadLockPath = (image: string, buildId: string, provider: string): string =>
  `${uploadsPath(image, buildId, provider)}/lock`;
export const uploadPath = (image: string, buildId: string, provider: string, uploadId: string): string =>
  `${uploadsPath(image, buildId, provider)}/${uploadId}`;
export const uploadNumberLockPath = (image: string, buildId: string, provider: string, uploadId: string): string =>
  `${uploadPath(image, buildId, provider, uploadId)}/lock`;
