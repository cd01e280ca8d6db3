/** Path checks and chroot arithmetic. Paths seen by callers never include the chroot. */

/**
 * Rejects paths the server would refuse, before a request is sent.
 * A sequential create may end in "/" (e.g. `/nodepool/nodes/`): the server appends the number.
 */
export function validatePath(path: string, sequential = false): void {
  const fail = (reason: string): never => {
    throw new TypeError(`invalid ZooKeeper path ${JSON.stringify(path)}: ${reason}`);
  };
  if (typeof path !== 'string' || path.length === 0) fail('must be a non-empty string');
  if (!path.startsWith('/')) fail('must start with "/"');
  if (path.length === 1) {
    if (sequential) fail('the root cannot be a sequential prefix');
    return;
  }
  const body = sequential && path.endsWith('/') ? path.slice(0, -1) : path;
  if (body.endsWith('/')) fail('must not end with "/"');
  for (const component of body.slice(1).split('/')) {
    if (component === '') fail('empty path component');
    if (component === '.' || component === '..') fail('relative path components are not allowed');
  }
  if (/[\u0000\u0001-\u001f\u007f-\u009f\ud800-\uf8ff\ufff0-\uffff]/.test(body)) {
    fail('contains a character ZooKeeper does not accept');
  }
}

/** Normalises a chroot: "" or "/" mean none; otherwise it must be a valid path. */
export function normaliseChroot(chroot: string | undefined): string {
  if (chroot === undefined || chroot === '' || chroot === '/') return '';
  validatePath(chroot);
  return chroot;
}

export function toServerPath(chroot: string, path: string): string {
  if (chroot === '') return path;
  return path === '/' ? chroot : chroot + path;
}

/** The client-side path for a server path, or undefined when it lies outside the chroot. */
export function fromServerPath(chroot: string, serverPath: string): string | undefined {
  if (chroot === '') return serverPath;
  if (serverPath === chroot) return '/';
  if (serverPath.startsWith(`${chroot}/`)) return serverPath.slice(chroot.length);
  return undefined;
}

/** The parent of a path ("/a/b" → "/a"); the root's parent is the root. */
export function parentPath(path: string): string {
  const index = path.lastIndexOf('/');
  return index <= 0 ? '/' : path.slice(0, index);
}

/** Joins a parent path and a child name. */
export function childPath(parent: string, name: string): string {
  return parent === '/' ? `/${name}` : `${parent}/${name}`;
}

/** The path itself followed by every ancestor up to and including the root. */
export function* selfAndAncestors(path: string): Generator<string> {
  let current = path;
  for (;;) {
    yield current;
    if (current === '/') return;
    current = parentPath(current);
  }
}
