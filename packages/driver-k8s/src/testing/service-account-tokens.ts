import { randomBytes } from 'node:crypto';
import type { ObjectStore } from './object-store.js';

/** Who a service-account token stands for, and the secret that holds it. */
export interface TokenOwner {
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly secret: string;
}

/**
 * The tokens the token controller issued. A token authenticates as its service account while
 * its secret still exists and still holds it (as legacy secret tokens are checked).
 */
export class ServiceAccountTokens {
  private readonly owners = new Map<string, TokenOwner>();

  /** A JWT-shaped token for the account (claims as the API server's; the signature is random). */
  issue(owner: TokenOwner, uid: string): string {
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const token = [
      encode({ alg: 'RS256', kid: 'nodepool-fake-k8s' }),
      encode({
        iss: 'kubernetes/serviceaccount',
        'kubernetes.io/serviceaccount/namespace': owner.namespace,
        'kubernetes.io/serviceaccount/secret.name': owner.secret,
        'kubernetes.io/serviceaccount/service-account.name': owner.serviceAccount,
        'kubernetes.io/serviceaccount/service-account.uid': uid,
        sub: `system:serviceaccount:${owner.namespace}:${owner.serviceAccount}`,
      }),
      randomBytes(32).toString('base64url'),
    ].join('.');
    this.owners.set(token, owner);
    return token;
  }

  /** The account a token stands for, if its secret still holds it. */
  owner(store: ObjectStore, token: string): TokenOwner | undefined {
    const owner = this.owners.get(token);
    if (!owner) return undefined;
    const secret = store.get('secrets', owner.namespace, owner.secret);
    const held = (secret?.data as Record<string, string> | undefined)?.token;
    if (held === undefined || Buffer.from(held, 'base64').toString('utf8') !== token) {
      this.owners.delete(token);
      return undefined;
    }
    return owner;
  }

  clear(): void {
    this.owners.clear();
  }
}
