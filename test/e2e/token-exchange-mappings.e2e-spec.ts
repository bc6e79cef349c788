import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeJwt } from 'jose';
import { loadConfig } from '@tessera/config';
import { runCli } from '@tessera/testing/cli-process';
import { basic, postForm } from '@tessera/testing/oauth-fixtures';
import { freePort } from '@tessera/testing/redis-server';
import { startServerProcess, type ServerProcess } from '@tessera/testing/server-process';
import { createTestDatabase, type TestDatabase } from '@tessera/testing/test-database';
import { startWorkloadIssuer, type WorkloadIssuer } from '@tessera/testing/workload-issuer';
import { JWT_TYPE, TOKEN_EXCHANGE as GRANT } from '../support/oauth';

const PAYMENTS = 'https://payments.example/api';
const OTHER = 'https://other.example/api';

/**
 * Exchange mappings: a loopback workload issuer (Kubernetes-shaped claims) is trusted by a
 * tenant whose rules, managed over the management API and the CLI, decide the scopes, role,
 * extra claims and resources of the exchanged token.
 */
describe('token exchange › mappings from workload claims to scopes and claims', () => {
  let db: TestDatabase;
  let node: ServerProcess;
  let wl: WorkloadIssuer;
  let mgmt: string;
  let env: Record<string, string>;
  let platformToken: string;
  let tenant: { id: string; slug: string };
  let client: { clientId: string; secret: string };
  let issuerId: string;

  /** `issuer mapping add` on the CLI for the tenant's trusted issuer. */
  const mappingAdd = (...args: string[]) =>
    runCli(env, 'issuer', 'mapping', 'add', '--tenant', tenant.slug, issuerId, ...args, '--json');
  const api = async (method: string, p: string, body?: unknown) => {
    const res = await fetch(`${mgmt}/api/v1/tenants/${tenant.id}${p}`, {
      method,
      headers: {
        authorization: `Bearer ${platformToken}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, json: (text ? JSON.parse(text) : {}) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };

  const exchange = async (claims: Record<string, unknown>, extra: Record<string, string> = {}) =>
    postForm(
      `${node.url}/oauth/token`,
      {
        grant_type: GRANT,
        subject_token: await wl.sign(claims),
        subject_token_type: JWT_TYPE,
        ...extra,
      },
      { authorization: basic(client) },
    );

  const k8s = (namespace: string, sa: string) => ({
    sub: `system:serviceaccount:${namespace}:${sa}`,
    'kubernetes.io': { namespace, serviceaccount: { name: sa, uid: 'a1b2' } },
  });

  beforeAll(async () => {
    db = await createTestDatabase();
    wl = await startWorkloadIssuer({ audience: 'tessera' });
    const [port, mport] = [await freePort(), await freePort()];
    env = {
      DATABASE_URL: db.appUrl,
      DATABASE_ADMIN_URL: db.ownerUrl,
      DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'tessera-xm-')),
      ISSUER: `http://127.0.0.1:${port}`,
      EXCHANGE_CLAIM_NAMES: 'namespace,service_account,team',
    };
    node = await startServerProcess(db, { port, env: { ...env, MANAGEMENT_PORT: String(mport) } });
    mgmt = `http://127.0.0.1:${mport}`;
    const admin = (await runCli(env, 'admin', 'client', 'create', '--json')).json();
    const t = await postForm(
      `${node.url}/oauth/token`,
      { grant_type: 'client_credentials' },
      { authorization: basic({ clientId: admin.client_id!, secret: admin.client_secret! }) },
    );
    platformToken = t.json.access_token as string;
    const created = await fetch(`${mgmt}/api/v1/tenants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${platformToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ slug: 'payments-co' }),
    });
    tenant = (await created.json()) as { id: string; slug: string };

    for (const identifier of [PAYMENTS, OTHER]) {
      expect(
        (await api('POST', '/resource-servers', { identifier, scopes: ['deploy', 'read'] })).status,
      ).toBe(201);
    }
    const c = await api('POST', '/clients', {
      name: 'cluster exchanger',
      grants: [GRANT],
      scopes: ['deploy', 'read'],
      resources: [PAYMENTS, OTHER],
    });
    expect(c.status).toBe(201);
    client = { clientId: c.json.id, secret: c.json.client_secret };
    const issuer = await api('POST', '/trusted-issuers', {
      issuer: wl.url,
      jwks_uri: wl.jwksUri,
      audience: 'tessera',
      scopes: ['deploy', 'read'],
      role: 'viewer',
    });
    expect(issuer.status).toBe(201);
    issuerId = issuer.json.id;
  });
  afterAll(async () => {
    await node?.stop();
    await wl?.close();
    await db?.drop();
  });

  it('the matching rule’s scopes, role, extra claims and resources make the token; a non-matching subject is refused (invalid_request)', async () => {
    const rule = await api('POST', `/trusted-issuers/${issuerId}/mappings`, {
      priority: 10,
      match: {
        'kubernetes.io/namespace': 'payments',
        'kubernetes.io/serviceaccount/name': 'deploy*',
      },
      scopes: ['deploy'],
      role: 'member',
      claims: { namespace: 'payments', service_account: 'deployer' },
      resources: [PAYMENTS],
    });
    expect(rule.status).toBe(201);
    // A second rule through the CLI: CI jobs by their sub.
    const cli = await mappingAdd('--match', 'sub=ci:*', '--scopes', 'read', '--claim', 'team=ci');
    expect(cli.code).toBe(0);
    const listed = await api('GET', `/trusted-issuers/${issuerId}/mappings`);
    expect(listed.json.items.map((m: { id: string }) => m.id)).toEqual([
      rule.json.id,
      cli.json().id,
    ]);

    const ok = await exchange(k8s('payments', 'deployer'));
    expect(ok.status).toBe(200);
    const claims = decodeJwt(ok.json.access_token as string);
    expect(claims).toMatchObject({
      scope: 'deploy',
      role: 'member',
      namespace: 'payments',
      service_account: 'deployer',
      org: tenant.id,
      client_id: client.clientId,
    });
    expect(claims.sub).toBe(`ext:${issuerId}:system:serviceaccount:payments:deployer`);

    const forPayments = await exchange(k8s('payments', 'deployer'), { resource: PAYMENTS });
    expect(forPayments.status).toBe(200);
    expect(decodeJwt(forPayments.json.access_token as string).aud).toBe(PAYMENTS);
    // The client may ask for OTHER, but the matching rule does not allow it.
    const elsewhere = await exchange(k8s('payments', 'deployer'), { resource: OTHER });
    expect({ status: elsewhere.status, error: elsewhere.json.error }).toEqual({
      status: 400,
      error: 'invalid_target',
    });

    const ci = await exchange({ sub: 'ci:build-7' });
    expect(ci.status).toBe(200);
    // No role on the rule: the issuer's. Scopes only the rule's.
    expect(decodeJwt(ci.json.access_token as string)).toMatchObject({
      scope: 'read',
      role: 'viewer',
      team: 'ci',
    });
    // A scope the matching rule does not grant is refused, not silently dropped.
    const wider = await exchange({ sub: 'ci:build-7' }, { scope: 'deploy' });
    expect({ status: wider.status, error: wider.json.error }).toEqual({
      status: 400,
      error: 'invalid_scope',
    });

    for (const stranger of [
      k8s('billing', 'deployer'),
      k8s('payments', 'viewer'),
      { sub: 'cix:1' },
    ]) {
      const refused = await exchange(stranger);
      expect({ status: refused.status, error: refused.json.error }).toEqual({
        status: 400,
        error: 'invalid_request',
      });
      expect(refused.json.error_description).toMatch(/no exchange mapping/);
      expect(refused.json.access_token).toBeUndefined();
    }
  });

  it('an external sub that looks like a Tessera id still comes out namespaced', async () => {
    const lookalike = 'user_01h455vb4pex5vsknk084sn02q';
    expect(
      (
        await api('POST', `/trusted-issuers/${issuerId}/mappings`, {
          match: { sub: 'user_*' },
          scopes: ['read'],
        })
      ).status,
    ).toBe(201);
    const res = await exchange({ sub: lookalike });
    expect(res.status).toBe(200);
    expect(decodeJwt(res.json.access_token as string).sub).toBe(`ext:${issuerId}:${lookalike}`);
  });

  it('a mapping can never set iss, sub, aud, org, role or scope (or a claim outside EXCHANGE_CLAIM_NAMES)', async () => {
    for (const name of [
      'iss',
      'sub',
      'aud',
      'org',
      'role',
      'scope',
      'jti',
      'exp',
      'client_id',
      'act',
      'unlisted',
    ]) {
      const r = await api('POST', `/trusted-issuers/${issuerId}/mappings`, {
        match: { sub: '*' },
        claims: { [name]: 'x' },
      });
      expect({ name, status: r.status, code: r.json.code }).toEqual({
        name,
        status: 400,
        code: 'invalid_request',
      });
    }
    const cli = await mappingAdd('--match', 'sub=*', '--claim', 'org=org_other');
    expect(cli.code).not.toBe(0);
    expect(cli.stderr).toMatch(/can never be set/);
    // Nor can the operator allow them.
    expect(() => loadConfig({ EXCHANGE_CLAIM_NAMES: 'team,sub' })).toThrow(/EXCHANGE_CLAIM_NAMES/);
  });

  it('removing a mapping (API) takes effect at once; another tenant’s issuer is not found', async () => {
    const rules = (await api('GET', `/trusted-issuers/${issuerId}/mappings`)).json.items as {
      id: string;
      match: Record<string, string>;
    }[];
    const ci = rules.find((r) => r.match.sub === 'ci:*')!;
    expect((await api('DELETE', `/trusted-issuers/${issuerId}/mappings/${ci.id}`)).status).toBe(
      204,
    );
    const refused = await exchange({ sub: 'ci:build-8' });
    expect(refused.json.error).toBe('invalid_request');
    const ghost = await api('POST', `/trusted-issuers/tis_01h455vb4pex5vsknk084sn02q/mappings`, {
      match: { sub: '*' },
    });
    expect(ghost.status).toBe(404);
  });
});
