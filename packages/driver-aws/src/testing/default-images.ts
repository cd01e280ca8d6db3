import type { AddImageRequest } from './fake-aws-types.js';

/** Canonical's account, which publishes the Ubuntu AMIs. */
export const CANONICAL_ACCOUNT = '099720109477';
/** The Debian project's account. */
export const DEBIAN_ACCOUNT = '136693071363';

/**
 * Public AMIs every fake AWS starts with (unless `images` says otherwise), so a cloud image by
 * `image-id` or by `image-filters` (name pattern, owner) needs no setup. Two Ubuntu builds of
 * the same release let a test check that the most recent match wins.
 */
export const DEFAULT_IMAGES: readonly AddImageRequest[] = [
  {
    imageId: 'ami-00000000000ab0001',
    name: 'ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20240101',
    ownerId: CANONICAL_ACCOUNT,
    public: true,
    architecture: 'x86_64',
    description: 'Canonical, Ubuntu, 22.04 LTS, amd64 jammy image build on 2024-01-01',
    creationDate: '2024-01-01T00:00:00.000Z',
  },
  {
    imageId: 'ami-00000000000ab0002',
    name: 'ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20240201',
    ownerId: CANONICAL_ACCOUNT,
    public: true,
    architecture: 'x86_64',
    description: 'Canonical, Ubuntu, 22.04 LTS, amd64 jammy image build on 2024-02-01',
    creationDate: '2024-02-01T00:00:00.000Z',
  },
  {
    imageId: 'ami-00000000000ab0003',
    name: 'ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-arm64-server-20240201',
    ownerId: CANONICAL_ACCOUNT,
    public: true,
    architecture: 'arm64',
    description: 'Canonical, Ubuntu, 22.04 LTS, arm64 jammy image build on 2024-02-01',
    creationDate: '2024-02-01T00:00:00.000Z',
  },
  {
    imageId: 'ami-00000000000ab0004',
    name: 'debian-12-amd64-20240201-1644',
    ownerId: DEBIAN_ACCOUNT,
    public: true,
    architecture: 'x86_64',
    description: 'Debian 12 (20240201-1644)',
    creationDate: '2024-02-01T12:00:00.000Z',
  },
];
