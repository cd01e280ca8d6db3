import { randomBytes } from 'node:crypto';

/**
 * The credentials a fake OpenStack accepts: one user in one project (domain `Default`), and one
 * application credential of that user for that project.
 */
export const FAKE_OPENSTACK_CREDENTIALS = {
  username: 'nodepool',
  password: 'nodepool-secret',
  projectName: 'nodepool',
  userDomainName: 'Default',
  projectDomainName: 'Default',
  applicationCredentialId: 'fake-application-credential',
  applicationCredentialName: 'nodepool',
  applicationCredentialSecret: 'fake-application-credential-secret',
} as const;

/** Keystone-style IDs (32 hex digits), fixed so that clouds.yaml files and logs stay readable. */
export const FAKE_PROJECT_ID = '0a1b2c3d4e5f40718293a4b5c6d7e8f9';
export const FAKE_USER_ID = '9f8e7d6c5b4a40392817f6e5d4c3b2a1';
export const FAKE_DOMAIN = { id: 'default', name: 'Default' } as const;

/** A token the fake issued. */
export interface IssuedToken {
  readonly token: string;
  readonly method: 'password' | 'application_credential';
  readonly issuedAt: number;
  readonly expiresAt: number;
}

/** Issues and checks the fake's tokens. */
export class TokenStore {
  private readonly tokens = new Map<string, IssuedToken>();
  issued = 0;

  issue(method: IssuedToken['method'], ttlMs: number, now = Date.now()): IssuedToken {
    // Fernet tokens look like this: base64url text starting with gAAAAA.
    const token: IssuedToken = { token: `gAAAAA${randomBytes(48).toString('base64url')}`, method, issuedAt: now, expiresAt: now + ttlMs };
    this.tokens.set(token.token, token);
    this.issued++;
    return token;
  }

  /** The token if it exists and has not expired. */
  valid(token: string | undefined, now = Date.now()): IssuedToken | undefined {
    if (token === undefined) return undefined;
    const found = this.tokens.get(token);
    if (!found) return undefined;
    if (found.expiresAt <= now) {
      this.tokens.delete(token);
      return undefined;
    }
    return found;
  }

  revoke(token: string): boolean {
    return this.tokens.delete(token);
  }

  /** Revokes every token (as a Keystone key rotation would); returns how many there were. */
  revokeAll(): number {
    const count = this.tokens.size;
    this.tokens.clear();
    return count;
  }

  clear(): void {
    this.tokens.clear();
    this.issued = 0;
  }
}
