import type { Request } from 'express';
import { DomainError } from '@tessera/domain/shared/domain-error';
import { oauthForm } from '@tessera/infrastructure/http/credentials';
import type { RequestPrincipals } from '@tessera/infrastructure/http/request-principals';

/** Longer than any token Tessera issues: answered as an unknown token, without a lookup. */
const MAX_TOKEN = 8192;

/**
 * A request about one token (RFC 7009 §2.1, RFC 7662 §2.1): the client authenticates, then
 * names the token. `token` is undefined when it is too long to be one of ours.
 */
export async function tokenRequest(principals: RequestPrincipals, req: Request) {
  const form = oauthForm(req);
  const client = await principals.client(req, form);
  if (!form.token) throw new DomainError('invalid_request', 'token is required');
  return { form, client, token: form.token.length > MAX_TOKEN ? undefined : form.token };
}
