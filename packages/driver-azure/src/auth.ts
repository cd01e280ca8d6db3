import { readFileSync } from 'node:fs';
import { ClientSecretCredential, type TokenCredential } from '@azure/identity';

/** Microsoft's public clouds, where the identity library's instance discovery applies. */
const KNOWN_AUTHORITIES = ['login.microsoftonline.com', 'login.chinacloudapi.cn', 'login.microsoftonline.us', 'login.microsoftonline.de'];

/** What a provider needs to reach Azure, from its `auth-path` file. */
export interface AzureAuth {
  readonly credential: TokenCredential;
  readonly subscriptionId: string;
  /** Resource Manager's root, without a trailing slash (`https://management.azure.com`). */
  readonly endpoint: string;
  /** The token scope for Resource Manager (`https://management.azure.com/.default`). */
  readonly scope: string;
}

/**
 * Reads a service principal's credentials file, as `az ad sp create-for-rbac --sdk-auth`
 * writes it and 9.0.0 reads it (`clientId`, `clientSecret`, `tenantId`, `subscriptionId`), into
 * a credential of `@azure/identity`; read when the provider starts, as 9.0.0 does. Differs from Nodepool: the file's
 * `activeDirectoryEndpointUrl` and `resourceManagerEndpointUrl`, written for sovereign clouds,
 * are honoured (9.0.0 always used Azure's public endpoints).
 */
export function readAuthFile(path: string): AzureAuth {
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`could not read the Azure credentials file ${path} (auth-path): ${(error as Error).message}`, { cause: error });
  }
  const field = (name: string): string => {
    const value = data[name];
    if (typeof value !== 'string' || value === '') throw new Error(`the Azure credentials file ${path} (auth-path) has no ${name}`);
    return value;
  };
  const authority = typeof data.activeDirectoryEndpointUrl === 'string' && data.activeDirectoryEndpointUrl ? data.activeDirectoryEndpointUrl.replace(/\/+$/, '') : 'https://login.microsoftonline.com';
  const endpoint = typeof data.resourceManagerEndpointUrl === 'string' && data.resourceManagerEndpointUrl ? data.resourceManagerEndpointUrl.replace(/\/+$/, '') : 'https://management.azure.com';
  const known = KNOWN_AUTHORITIES.includes(new URL(authority).hostname);
  const credential = new ClientSecretCredential(field('tenantId'), field('clientId'), field('clientSecret'), {
    authorityHost: authority,
    // An authority Microsoft's discovery does not know (Azure Stack, a fake) is taken as given.
    ...(known ? {} : { disableInstanceDiscovery: true }),
  });
  return { credential, subscriptionId: field('subscriptionId'), endpoint, scope: `${endpoint}/.default` };
}
