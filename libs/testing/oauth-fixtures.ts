import { randomBytes } from 'node:crypto';
import { DI } from '@tessera/application/di-tokens';
import type { TenantDirectory } from '@tessera/application/tenant/tenant-directory.port';
import type { ManageClients } from '@tessera/application/manage-clients/manage-clients.use-case';
import type { RunningApp } from './test-app';

export interface TestClient {
  tenantId: string;
  slug: string;
  clientId: string;
  secret: string;
}

/** A fresh tenant with one client, created through the app's own use cases. */
export async function seedClient(
  app: RunningApp,
  opts: { slug?: string; grants?: string[]; scopes?: string[]; tenantId?: string } = {},
): Promise<TestClient> {
  const tenants = app.app.get<TenantDirectory>(DI.Tenants);
  const clients = app.app.get<ManageClients>(DI.ManageClients);
  const slug = opts.slug ?? `t-${randomBytes(4).toString('hex')}`;
  const tenantId = opts.tenantId ?? (await tenants.create(slug, slug)).id;
  const { client, secret } = await clients.create(
    tenantId,
    {
      name: 'test client',
      grants: opts.grants ?? ['client_credentials', 'refresh_token'],
      scopes: opts.scopes ?? ['read', 'write'],
    },
    'test',
  );
  return { tenantId, slug, clientId: client.id, secret };
}

export const basic = (c: { clientId: string; secret: string }) =>
  `Basic ${Buffer.from(`${encodeURIComponent(c.clientId)}:${encodeURIComponent(c.secret)}`).toString('base64')}`;

/** POSTs a form the way an OAuth client does; returns status, headers and parsed JSON. */
export async function postForm(
  url: string,
  form: Record<string, string> | string,
  headers: Record<string, string> = {},
) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: typeof form === 'string' ? form : new URLSearchParams(form).toString(),
  });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    json = { raw: text };
  }
  return { status: res.status, headers: res.headers, json };
}
