import { asString, field, RecordCodec, type Field } from './codec.js';
import { RecordFormatError } from './json.js';

export const BUILD_STATES = ['building', 'ready', 'deleting', 'failed'] as const;
export type BuildState = (typeof BUILD_STATES)[number];
export const UPLOAD_STATES = ['uploading', 'ready', 'deleting', 'failed'] as const;
export type UploadState = (typeof UPLOAD_STATES)[number];

function checkState<S extends string>(states: readonly S[], value: unknown, what: string): S {
  if (typeof value !== 'string' || !(states as readonly string[]).includes(value)) {
    throw new RecordFormatError(`${what} state ${JSON.stringify(value)} is not one of ${states.join(', ')}`);
  }
  return value as S;
}

/** Readers default absent keys as the original does (spec §9). */
const usernameField = <T extends { username: string | null }>() =>
  field<T, 'username'>('username', 'username', (value, present) => (present ? asString()(value, present) : 'zuul'));
const pythonPathField = <T extends { pythonPath: string | null }>() =>
  field<T, 'pythonPath'>('python_path', 'pythonPath', (value, present) => (present ? asString()(value, present) : '/usr/bin/python2'));
const shellTypeField = <T extends { shellType: string | null }>() => field<T, 'shellType'>('shell_type', 'shellType', asString());

/** A diskimage build: `/nodepool/images/<image>/builds/<build-id>`. */
export class ImageBuild {
  image = '';
  /** uuid4 hex for builds of Nodepool 4+, a 10-digit number for older ones. */
  id = '';
  version = -1;
  state: BuildState = 'building';
  stateTime = 0;
  /** Builder host name; the key is omitted when unknown. */
  builder: string | null = null;
  /** Builder's persistent UUID; the key is omitted when unknown. */
  builderId: string | null = null;
  /** Image formats built; written comma-joined and sorted, and omitted when empty. */
  formats: string[] = [];
  username: string | null = 'zuul';
  pythonPath: string | null = '/usr/bin/python2';
  shellType: string | null = null;

  setState(state: BuildState, now = Date.now() / 1000): void {
    this.state = state;
    this.stateTime = now;
  }

  static fromJson(image: string, id: string, json: Record<string, unknown>, version = -1): ImageBuild {
    const build = buildCodec.read(json, new ImageBuild());
    build.state = checkState(BUILD_STATES, json.state, 'build');
    build.formats = typeof json.formats === 'string' && json.formats !== '' ? json.formats.split(',') : [];
    Object.assign(build, { image, id, version });
    return build;
  }

  toJson(): Record<string, unknown> {
    const json: Record<string, unknown> = { state: this.state, state_time: this.stateTime };
    if (this.builder !== null) json.builder = this.builder;
    if (this.builderId !== null) json.builder_id = this.builderId;
    if (this.formats.length > 0) json.formats = [...this.formats].sort().join(',');
    json.username = this.username;
    json.python_path = this.pythonPath;
    json.shell_type = this.shellType;
    return json;
  }
}

const buildFields: Field<ImageBuild>[] = [
  field<ImageBuild, 'stateTime'>('state_time', 'stateTime', (value) => (typeof value === 'number' ? value : 0)),
  field<ImageBuild, 'builder'>('builder', 'builder', asString()),
  field<ImageBuild, 'builderId'>('builder_id', 'builderId', asString()),
  usernameField<ImageBuild>(),
  pythonPathField<ImageBuild>(),
  shellTypeField<ImageBuild>(),
];
const buildCodec = new RecordCodec<ImageBuild>(buildFields);

/** An upload of a build to a provider: `…/providers/<provider>/images/<upload-id>`. */
export class ImageUpload {
  image = '';
  buildId = '';
  provider = '';
  /** A 10-digit sequence number. */
  id = '';
  version = -1;
  state: UploadState = 'uploading';
  stateTime = 0;
  /** Cloud image ID. */
  externalId: string | null = null;
  /** Cloud image name. */
  externalName: string | null = null;
  format: string | null = null;
  username: string | null = 'zuul';
  pythonPath: string | null = '/usr/bin/python2';
  shellType: string | null = null;

  setState(state: UploadState, now = Date.now() / 1000): void {
    this.state = state;
    this.stateTime = now;
  }

  /** The znode path Zuul sees as a node's `image_id`. */
  get path(): string {
    return `/nodepool/images/${this.image}/builds/${this.buildId}/providers/${this.provider}/images/${this.id}`;
  }

  static fromJson(
    where: { image: string; buildId: string; provider: string; id: string },
    json: Record<string, unknown>,
    version = -1,
  ): ImageUpload {
    const upload = uploadCodec.read(json, new ImageUpload());
    upload.state = checkState(UPLOAD_STATES, json.state, 'upload');
    Object.assign(upload, where, { version });
    return upload;
  }

  toJson(): Record<string, unknown> {
    return { state: this.state, ...uploadCodec.write(this) };
  }
}

const uploadFields: Field<ImageUpload>[] = [
  field<ImageUpload, 'stateTime'>('state_time', 'stateTime', (value) => (typeof value === 'number' ? value : 0)),
  field<ImageUpload, 'externalId'>('external_id', 'externalId', asString()),
  field<ImageUpload, 'externalName'>('external_name', 'externalName', asString()),
  field<ImageUpload, 'format'>('format', 'format', asString()),
  usernameField<ImageUpload>(),
  pythonPathField<ImageUpload>(),
  shellTypeField<ImageUpload>(),
];
const uploadCodec = new RecordCodec<ImageUpload>(uploadFields);
