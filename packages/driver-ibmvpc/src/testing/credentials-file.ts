import { FAKE_IBM_API_KEY } from './fake-ibmvpc.js';

/**
 * A credentials file (the provider's `credentials-file`, in IBM's env-file format) pointing
 * service `vpc` at a fake: IAM API key authentication against its token service, and the VPC
 * API, Resource Manager and Resource Controller at its address.
 */
export function fakeCredentialsFile(urls: { readonly main: string }, apiKey = FAKE_IBM_API_KEY): string {
  return [
    'VPC_AUTH_TYPE=iam',
    `VPC_APIKEY=${apiKey}`,
    `VPC_AUTH_URL=${urls.main}`,
    `VPC_URL=${urls.main}/v1`,
    `RESOURCE_MANAGER_URL=${urls.main}`,
    `RESOURCE_CONTROLLER_URL=${urls.main}`,
    '',
  ].join('\n');
}
