import { randomBytes, randomUUID } from 'node:crypto';

/** An access token the fake issued. */
interface IssuedToken {
  readonly expiresAt: number;
  revoked: boolean;
}

/**
 * IAM's token service as the IBM SDKs use it: an API key (grant
 * `urn:ibm:params:oauth:grant-type:apikey`) or a refresh token buys a JWT access token with
 * `iat`/`exp` claims (the SDKs read them to renew it), valid for every service of the fake.
 */
export class FakeIam {
  private readonly tokens = new Map<string, IssuedToken>();
  private readonly refreshTokens = new Map<string, string>();
  /** Tokens issued, for tests: a renewal shows as another one. */
  issued = 0;

  constructor(
    private readonly apiKeys: ReadonlySet<string>,
    private readonly accountId: string,
  ) {}

  /** Handles `POST /identity/token` (form-encoded); returns the answer's status and body. */
  token(form: URLSearchParams, ttlMs: number): { status: number; body: Record<string, unknown> } {
    const grant = form.get('grant_type');
    let apiKey: string | undefined;
    if (grant === 'urn:ibm:params:oauth:grant-type:apikey') {
      apiKey = form.get('apikey') ?? undefined;
      if (!apiKey || !this.apiKeys.has(apiKey)) return iamError(400, 'BXNIM0415E', 'Provided API key could not be found.');
    } else if (grant === 'refresh_token') {
      apiKey = this.refreshTokens.get(form.get('refresh_token') ?? '');
      if (!apiKey || !this.apiKeys.has(apiKey)) return iamError(400, 'BXNIM0407E', 'Provided refresh token is invalid.');
    } else {
      return iamError(400, 'BXNIM0109E', `Property 'grant_type' is missing or unsupported: ${grant ?? '(none)'}.`);
    }
    const now = Date.now();
    const iat = Math.floor(now / 1000);
    const exp = iat + Math.max(1, Math.floor(ttlMs / 1000));
    const accessToken = jwt({
      iam_id: 'iam-ServiceId-fake',
      id: 'iam-ServiceId-fake',
      realmid: 'iam',
      jti: randomUUID(),
      identifier: 'ServiceId-fake',
      sub: 'ServiceId-fake',
      sub_type: 'ServiceId',
      account: { valid: true, bss: this.accountId },
      iat,
      exp,
      iss: 'https://iam.cloud.ibm.com/identity',
      grant_type: grant,
      scope: 'ibm openid',
      client_id: 'default',
    });
    const refreshToken = randomBytes(24).toString('base64url');
    this.tokens.set(accessToken, { expiresAt: exp * 1000, revoked: false });
    this.refreshTokens.set(refreshToken, apiKey);
    this.issued++;
    return {
      status: 200,
      body: { access_token: accessToken, refresh_token: refreshToken, ims_user_id: 1, token_type: 'Bearer', expires_in: exp - iat, expiration: exp, scope: 'ibm openid' },
    };
  }

  /** Whether an `Authorization` header carries a valid, unexpired, unrevoked token of ours. */
  authorizes(header: string | undefined): boolean {
    const match = /^Bearer (.+)$/i.exec(header ?? '');
    const token = match ? this.tokens.get(match[1]!) : undefined;
    return token !== undefined && !token.revoked && token.expiresAt > Date.now();
  }

  /** Revokes every token issued so far; returns how many. */
  revokeAll(): number {
    let count = 0;
    for (const token of this.tokens.values()) {
      if (!token.revoked) count++;
      token.revoked = true;
    }
    return count;
  }

  reset(): void {
    this.tokens.clear();
    this.refreshTokens.clear();
    this.issued = 0;
  }
}

function jwt(claims: Record<string, unknown>): string {
  const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  // Signed by nobody: the SDKs decode tokens, only IAM verifies them.
  return `${encode({ kid: '20240101', alg: 'RS256' })}.${encode(claims)}.${randomBytes(32).toString('base64url')}`;
}

function iamError(status: number, errorCode: string, errorMessage: string): { status: number; body: Record<string, unknown> } {
  return { status, body: { errorCode, errorMessage, context: { requestId: randomUUID(), requestType: 'incoming.Identity_Token', host: 'iam.cloud.ibm.com' } } };
}
