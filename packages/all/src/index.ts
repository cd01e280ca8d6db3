/**
 * `@nodepool/all` is the CLI plus every first-party driver, for those who want everything in one
 * install; its commands are the CLI's. The drivers are found at run time by their `driver:`
 * names, so nothing here imports them.
 */
export { builderMain, launcherMain, main } from '@nodepool/cli';
