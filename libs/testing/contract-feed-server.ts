import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';

/** What the fake saw of one feed poll. */
export interface PollSeen {
  stream: string;
  ack: string[];
  setErrs: Record<string, { err: string; description: string }>;
  returnImmediately: boolean;
  authorization?: string;
}

interface Delivery {
  acked: Set<string>;
}

/**
 * A peer for unit tests of the library: issuer metadata, a JWKS and the revocation feed as
 * /work/wt/FEED-CONTRACT.md defines it (basic auth, per-stream delivery, ack, long poll with a
 * short wait). Events are SETs signed with this fake issuer's key.
 */
export class ContractFeedServer {
  readonly polls: PollSeen[] = [];
  private server!: Server;
  private key!: { privateKey: CryptoKey; jwk: JWK };
  private extraKeys: JWK[] = [];
  private readonly sets: { id: string; jws: string }[] = [];
  private readonly streams = new Map<string, Delivery>();
  private waiters: (() => void)[] = [];
  /** Feed answers: 'up', an HTTP 500, or the socket destroyed (a dead peer). */
  feedMode: 'up' | 'error' | 'drop' = 'up';
  jwksFetches = 0;
  jwksCacheControl = 'public, max-age=300';
  url = '';

  constructor(
    readonly identifier: string,
    readonly credentials = { clientId: 'rs_test', clientSecret: 'rs-secret' },
    private readonly maxWaitMs = 500,
  ) {}

  get issuer(): string {
    return this.url;
  }

  async start(): Promise<void> {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    this.key = {
      privateKey,
      jwk: { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' },
    };
    this.server = createServer((req, res) => void this.route(req, res));
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.wake();
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }

  /** An access token as Tessera would issue it, signed by this issuer's key. */
  async token(claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}) {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({
      client_id: 'cli_a',
      org: 'org_a',
      scope: 'invoices:read',
      jti: `tok_${Math.random().toString(36).slice(2)}`,
      ...claims,
    })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1', typ: 'at+jwt', ...header })
      .setIssuer(this.issuer)
      .setAudience((claims.aud as string) ?? this.identifier)
      .setSubject((claims.sub as string) ?? 'user_1')
      .setIssuedAt((claims.iat as number) ?? now)
      .setExpirationTime((claims.exp as number) ?? now + 300)
      .sign(this.key.privateKey);
  }

  /** Publishes a SET carrying one event; returns its SET id. */
  async publish(type: string, event: Record<string, unknown>, over: Record<string, unknown> = {}) {
    const id = `set_${this.sets.length + 1}_${Math.random().toString(36).slice(2, 8)}`;
    const jws = await new SignJWT({ events: { [type]: event }, ...over })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1', typ: 'secevent+jwt' })
      .setIssuer(this.issuer)
      .setAudience((over.aud as string) ?? this.identifier)
      .setIssuedAt()
      .setJti(id)
      .sign(this.key.privateKey);
    this.sets.push({ id, jws });
    this.wake();
    return id;
  }

  /** A second signing key in the JWKS (a rotation); returns a signer for tokens with it. */
  async rotate(kid: string) {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    this.extraKeys.push({ ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' });
    return (claims: Record<string, unknown> = {}) =>
      new SignJWT({
        client_id: 'cli_a',
        org: 'org_a',
        jti: `tok_${kid}`,
        scope: 'invoices:read',
        ...claims,
      })
        .setProtectedHeader({ alg: 'ES256', kid, typ: 'at+jwt' })
        .setIssuer(this.issuer)
        .setAudience(this.identifier)
        .setSubject('user_1')
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(privateKey);
  }

  /** Takes a rotated key out of the JWKS (a retired or compromised key). */
  retire(kid: string): void {
    this.extraKeys = this.extraKeys.filter((k) => k.kid !== kid);
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  private async route(req: IncomingMessage, res: import('node:http').ServerResponse) {
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    const path = new URL(req.url ?? '/', this.url).pathname;
    if (path === '/.well-known/oauth-authorization-server') {
      return json(200, {
        issuer: this.issuer,
        jwks_uri: `${this.url}/.well-known/jwks.json`,
        revocation_events_endpoint: `${this.url}/oauth/revocation-events`,
      });
    }
    if (path === '/.well-known/jwks.json') {
      this.jwksFetches++;
      return json(
        200,
        { keys: [this.key.jwk, ...this.extraKeys] },
        { 'cache-control': this.jwksCacheControl },
      );
    }
    if (path !== '/oauth/revocation-events' || req.method !== 'POST') return json(404, {});
    if (this.feedMode === 'drop') return req.socket.destroy();
    if (this.feedMode === 'error') return json(500, { error: 'server_error' });
    const { clientId, clientSecret } = this.credentials;
    const expected = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;
    if (req.headers.authorization !== expected) {
      return json(401, { error: 'invalid_client' }, { 'www-authenticate': 'Basic' });
    }
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const body = JSON.parse(raw || '{}') as Partial<PollSeen> & { maxEvents?: number };
    const stream = body.stream ?? 'default';
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(stream)) {
      return json(400, { err: 'invalid_request', description: 'bad stream' });
    }
    this.polls.push({
      stream,
      ack: body.ack ?? [],
      setErrs: body.setErrs ?? {},
      returnImmediately: body.returnImmediately ?? false,
      authorization: req.headers.authorization,
    });
    const d = this.streams.get(stream) ?? { acked: new Set<string>() };
    this.streams.set(stream, d);
    for (const id of [...(body.ack ?? []), ...Object.keys(body.setErrs ?? {})]) d.acked.add(id);
    const max = body.maxEvents ?? 100;
    const pending = () => this.sets.filter((s) => !d.acked.has(s.id));
    if (pending().length === 0 && body.returnImmediately !== true) {
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, this.maxWaitMs);
      });
    }
    if (this.feedMode !== 'up') return req.socket.destroy();
    const out = pending().slice(0, max);
    json(
      200,
      {
        sets: Object.fromEntries(out.map((s) => [s.id, s.jws])),
        moreAvailable: pending().length > max,
      },
      { 'cache-control': 'no-store' },
    );
  }
}
