import { FAKE_OPENSTACK_CREDENTIALS as CREDENTIALS } from './identity.js';

/** How a clouds.yaml entry for a fake authenticates. */
export type FakeCloudAuth = 'password' | 'application-credential';

/**
 * A `clouds.yaml` entry (YAML text, indented under `clouds:`) naming a fake OpenStack: its
 * Keystone URL, region and credentials, as openstacksdk (and the openstack driver) read them.
 */
export function fakeCloudEntry(name: string, url: string, options: { region?: string; auth?: FakeCloudAuth; interface?: string; extra?: string } = {}): string {
  const auth =
    options.auth === 'application-credential'
      ? [
          '    auth_type: v3applicationcredential',
          '    auth:',
          `      auth_url: ${url}/identity`,
          `      application_credential_id: ${CREDENTIALS.applicationCredentialId}`,
          `      application_credential_secret: ${CREDENTIALS.applicationCredentialSecret}`,
        ]
      : [
          '    auth_type: password',
          '    auth:',
          `      auth_url: ${url}/identity`,
          `      username: ${CREDENTIALS.username}`,
          `      password: ${CREDENTIALS.password}`,
          `      project_name: ${CREDENTIALS.projectName}`,
          `      user_domain_name: ${CREDENTIALS.userDomainName}`,
          `      project_domain_name: ${CREDENTIALS.projectDomainName}`,
        ];
  return [
    `  ${name}:`,
    ...auth,
    `    region_name: ${options.region ?? 'RegionOne'}`,
    '    identity_api_version: 3',
    ...(options.interface ? [`    interface: ${options.interface}`] : []),
    ...(options.extra ? [options.extra.replace(/\n$/, '')] : []),
  ].join('\n');
}

/** A whole `clouds.yaml` with one entry for a fake OpenStack. */
export function fakeCloudsYaml(name: string, url: string, options: Parameters<typeof fakeCloudEntry>[2] = {}): string {
  return `clouds:\n${fakeCloudEntry(name, url, options)}\n`;
}
