import test from 'ava';
import { dibCommand, formatImageName, shellSplit, type DiskImageConfig } from '@nodepool/core';

const image: DiskImageConfig = {
  name: 'debian',
  buildTimeout: 3600,
  dibCmd: '/opt/dib/bin/disk-image-create --logfile "/var/log/my dib.log"',
  elements: ['debian-minimal', 'vm'],
  envVars: { DIB_DEBIAN_COMPONENTS: 'main,contrib', DIB_RELEASE: 'overridden' },
  formats: [],
  parent: undefined,
  pause: false,
  pythonPath: 'auto',
  rebuildAge: 86400,
  release: 'bookworm',
  shellType: null,
  username: 'zuul',
  metadata: {},
};

test('the command and environment are the original builder\'s, argument for argument', (t) => {
  const command = dibCommand({ diskimage: image, formats: ['vhd', 'qcow2'], buildId: 'abc123', imagesDir: '/opt/images', elementsDir: '/etc/elements', baseEnv: { PATH: '/usr/bin', HOME: undefined }, moduleDir: '/m' });
  t.deepEqual(command.argv, [
    '/opt/dib/bin/disk-image-create', '--logfile', '/var/log/my dib.log',
    '-x', '-t', 'qcow2,vhd', '--checksum', '--no-tmpfs', '--qemu-img-options', 'compat=0.10',
    '-o', '/opt/images/debian-abc123', 'debian-minimal', 'vm',
  ]);
  t.is(command.outputBase, '/opt/images/debian-abc123');
  t.deepEqual(command.env, {
    PATH: '/usr/bin',
    DIB_RELEASE: 'overridden',
    DIB_IMAGE_NAME: 'debian',
    DIB_IMAGE_FILENAME: '/opt/images/debian-abc123',
    ELEMENTS_PATH: '/etc/elements',
    DIB_DEBIAN_COMPONENTS: 'main,contrib',
  });
});

test('no qemu options without qcow2, no ELEMENTS_PATH without elements-dir, %p is the module directory', (t) => {
  const command = dibCommand({ diskimage: { ...image, dibCmd: '%p/fake-image-create', envVars: {} }, formats: ['raw'], buildId: 'b', imagesDir: '/i', elementsDir: undefined, baseEnv: {}, moduleDir: '/here' });
  t.deepEqual(command.argv, ['/here/fake-image-create', '-x', '-t', 'raw', '--checksum', '--no-tmpfs', '-o', '/i/debian-b', 'debian-minimal', 'vm']);
  t.false('ELEMENTS_PATH' in command.env);
  t.is(command.env.DIB_RELEASE, 'bookworm');
});

test('shellSplit splits as Python\'s shlex.split', (t) => {
  t.deepEqual(shellSplit(`a 'b c' "d \\"e\\" $f" g\\ h  ''`), ['a', 'b c', 'd "e" $f', 'g h', '']);
  t.deepEqual(shellSplit("--qemu-img-options 'compat=0.10'"), ['--qemu-img-options', 'compat=0.10']);
  t.throws(() => shellSplit("'open"), { message: /no closing quotation/ });
});

test('image names follow image-name-format as str.format would', (t) => {
  const fields = { image_name: 'debian', upload_id: '0000000003', timestamp: '1700000000' };
  t.is(formatImageName('{image_name}-{timestamp}', fields), 'debian-1700000000');
  t.is(formatImageName('npimage{upload_id}', fields), 'npimage0000000003');
  t.is(formatImageName('{{literal}}-{image_name}', fields), '{literal}-debian');
  t.throws(() => formatImageName('{nope}', fields), { message: /unknown field \{nope\}/ });
});
