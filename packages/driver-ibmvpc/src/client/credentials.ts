import { getAuthenticatorFromEnvironment, IamAuthenticator, readExternalSources, type AuthenticatorInterface } from 'ibm-cloud-sdk-core';

/** The service name whose external configuration holds the credentials, as Nodepool 9.0.0 reads them (`VPC_*`). */
export const CREDENTIALS_SERVICE = 'vpc';

/** The API key variable of IBM's own tools (the `ibmcloud` CLI, Terraform), read when no `VPC_*` configuration is found. */
export const IBMCLOUD_API_KEY_VARIABLE = 'IBMCLOUD_API_KEY';

/**
 * What the driver takes from IBM Cloud's external configuration: a credentials file (the
 * provider's `credentials-file`, else `IBM_CREDENTIALS_FILE`, `./ibm-credentials.env` or
 * `~/ibm-credentials.env`) or the environment, for service `vpc`: `VPC_AUTH_TYPE`, `VPC_APIKEY`,
 * `VPC_AUTH_URL`, … — the same lookup Nodepool 9.0.0 makes through the IBM SDK; failing that,
 * an API key in `IBMCLOUD_API_KEY`.
 */
export interface IbmCloudCredentials {
  /** A new authenticator (with a token of its own, fetched on first use and renewed before it expires). */
  authenticator(): AuthenticatorInterface;
  /** The API key, for Cloud Object Storage (its SDK fetches its own tokens); null for other auth types. */
  readonly apiKey: string | null;
  /** The IAM token service (`VPC_AUTH_URL`); null for IBM Cloud's. */
  readonly authUrl: string | null;
  /**
   * Service endpoints from the same configuration (`VPC_URL`, `RESOURCE_MANAGER_URL`,
   * `RESOURCE_CONTROLLER_URL`), as the IBM SDKs' `new_instance` reads them; null for IBM Cloud's
   * (`https://<region>.iaas.cloud.ibm.com/v1`, `https://resource-controller.cloud.ibm.com`).
   */
  readonly vpcUrl: string | null;
  readonly resourceManagerUrl: string | null;
  readonly resourceControllerUrl: string | null;
}

/** No credentials were found for service `vpc`. */
export class MissingCredentialsError extends Error {
  override readonly name = 'MissingCredentialsError';
}

/**
 * Reads the credentials, with `credentialsFile` (when given) standing for `IBM_CREDENTIALS_FILE`
 * while the SDK looks: as the original does, the variable is set only for the look (which is
 * synchronous, so nothing else sees it) and restored after.
 */
export function loadIbmCloudCredentials(credentialsFile: string | null): IbmCloudCredentials {
  const read = withCredentialsFile(credentialsFile, () => ({
    vpc: readExternalSources(CREDENTIALS_SERVICE) ?? {},
    resourceManager: readExternalSources('resource_manager') ?? {},
    resourceController: readExternalSources('resource_controller') ?? {},
  }));
  const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
  if (Object.keys(read.vpc).length === 0) {
    // Differs from Nodepool: 9.0.0 fails here; IBM's own tools take the API key from IBMCLOUD_API_KEY, so we do too.
    const apiKey = text(process.env[IBMCLOUD_API_KEY_VARIABLE]);
    if (apiKey === null) {
      throw new MissingCredentialsError(
        `no IBM Cloud credentials for service "${CREDENTIALS_SERVICE}": give the provider a credentials-file, or set VPC_AUTH_TYPE and VPC_APIKEY (or ${IBMCLOUD_API_KEY_VARIABLE}) in the environment`,
      );
    }
    return {
      authenticator: () => new IamAuthenticator({ apikey: apiKey }),
      apiKey,
      authUrl: null,
      vpcUrl: null,
      resourceManagerUrl: text(read.resourceManager.url),
      resourceControllerUrl: text(read.resourceController.url),
    };
  }
  return {
    authenticator: () => withCredentialsFile(credentialsFile, () => getAuthenticatorFromEnvironment(CREDENTIALS_SERVICE)),
    apiKey: text(read.vpc.apikey),
    authUrl: text(read.vpc.authUrl),
    vpcUrl: text(read.vpc.url),
    resourceManagerUrl: text(read.resourceManager.url),
    resourceControllerUrl: text(read.resourceController.url),
  };
}

function withCredentialsFile<T>(credentialsFile: string | null, look: () => T): T {
  if (credentialsFile === null) return look();
  const saved = process.env.IBM_CREDENTIALS_FILE;
  process.env.IBM_CREDENTIALS_FILE = credentialsFile;
  try {
    return look();
  } finally {
    if (saved === undefined) delete process.env.IBM_CREDENTIALS_FILE;
    else process.env.IBM_CREDENTIALS_FILE = saved;
  }
}
