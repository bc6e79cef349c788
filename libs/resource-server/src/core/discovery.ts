/** RFC 8414 metadata members the library needs. */
export interface IssuerMetadata {
  jwksUri: string;
  revocationEventsEndpoint?: string;
}

/**
 * RFC 8414 §3 first, OpenID Discovery second. The metadata's `issuer` must equal the configured
 * one exactly (RFC 8414 §3.3), or a mix-up could hand us another issuer's keys.
 */
export async function discover(
  issuer: string,
  base: string,
  fetchImpl: typeof fetch,
): Promise<IssuerMetadata> {
  const root = base.replace(/\/+$/, '');
  const tried: string[] = [];
  for (const path of [
    '/.well-known/oauth-authorization-server',
    '/.well-known/openid-configuration',
  ]) {
    const url = `${root}${path}`;
    try {
      const res = await fetchImpl(url, {
        headers: { accept: 'application/json' },
        redirect: 'manual',
        signal: AbortSignal.timeout(10_000),
      });
      if (res.status !== 200) {
        tried.push(`${url}: HTTP ${res.status}`);
        continue;
      }
      const m = (await res.json()) as Record<string, unknown>;
      if (m.issuer !== issuer) {
        throw new Error(`metadata at ${url} names issuer ${String(m.issuer)}, not ${issuer}`);
      }
      if (typeof m.jwks_uri !== 'string') throw new Error(`metadata at ${url} has no jwks_uri`);
      return {
        jwksUri: m.jwks_uri,
        revocationEventsEndpoint:
          typeof m.revocation_events_endpoint === 'string'
            ? m.revocation_events_endpoint
            : undefined,
      };
    } catch (e) {
      if (e instanceof Error && e.message.startsWith('metadata at')) throw e;
      tried.push(`${url}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  throw new Error(`no issuer metadata for ${issuer} (${tried.join('; ')})`);
}
