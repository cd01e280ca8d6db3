import test from 'ava';
import { useZooKeeper } from '@nodepool/testkit';
import type { Driver } from '@nodepool/core';
import { createFakeDriver } from '@nodepool/core/testing';
import { cliFixture } from './fixture.js';

const zk = useZooKeeper(test);

/** The fake driver under another name, its providers listing these cloud images (or failing). */
function listingDriver(name: string, images: { id: string; name: string }[] | Error): Driver {
  const { driver } = createFakeDriver(name);
  return {
    ...driver,
    createProvider: (config, context) => ({
      ...driver.createProvider!(config, context),
      listAlienImages: async (known: ReadonlySet<string>) => {
        if (images instanceof Error) throw images;
        return images.filter((image) => !known.has(image.id));
      },
    }),
  };
}

test('alien-image-list shows cloud images without a ready upload, per provider, skipping failing ones', async (t) => {
  const images = [
    { id: 'img-1', name: 'debian-1700000000' },
    { id: 'img-0', name: 'debian-1600000000' },
  ];
  const f = await cliFixture(t, zk(), { drivers: [listingDriver('listing', images), listingDriver('broken', new Error('cloud down'))] });
  const { writeFile, readFile } = await import('node:fs/promises');
  const config = await readFile(f.config, 'utf8');
  await writeFile(
    f.config,
    config.replace(
      'providers:\n',
      `providers:
  - name: listing-a
    driver: listing
    diskimages:
      - name: debian
    pools: []
  - name: broken-b
    driver: broken
    pools: []
`,
    ),
  );
  const result = await f.run('alien-image-list');
  t.is(result.code, 0, result.err.join('\n'));
  // listing-a has no ready upload of its own, so both images are aliens there; cloud-a's fake
  // provider cannot list images and is left out.
  t.deepEqual(result.out, [
    '+-----------+-------------------+----------+',
    '| Provider  | Name              | Image ID |',
    '+-----------+-------------------+----------+',
    '| listing-a | debian-1700000000 | img-1    |',
    '| listing-a | debian-1600000000 | img-0    |',
    '+-----------+-------------------+----------+',
  ]);
  t.deepEqual(JSON.parse((await f.run('alien-image-list', 'broken-b', '--json')).out[0]!), []);
});

test('alien-image-list counts the ready uploads of the provider as known', async (t) => {
  const images = [
    { id: 'img-1', name: 'debian-1700000000' },
    { id: 'img-9', name: 'debian-lost' },
  ];
  const f = await cliFixture(t, zk(), { fakecloud: listingDriver('fakecloud', images) });
  const result = await f.run('alien-image-list', 'cloud-a');
  t.deepEqual(result.out.slice(3, -1), ['| cloud-a  | debian-lost | img-9    |']);
});
