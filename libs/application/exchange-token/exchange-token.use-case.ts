import { DomainError } from '@tessera/domain/shared/domain-error';
import type { Client } from '@tessera/domain/token/client';
import { exchangedSubject, type TrustedIssuer } from '@tessera/domain/federation/trusted-issuer';
import { firstMatch, type ExchangeMapping } from '@tessera/domain/federation/exchange-mapping';
import type { ExchangeMappingRepository } from './exchange-mapping-repository.port';
import type { VerifiedSubjectToken } from './subject-token-verifier.port';
import type { IssueTokenUseCase } from '../issue-token/issue-token.use-case';
import type { TokenResponse } from '../tokens/token-response';
import type { SubjectTokenVerifier } from './subject-token-verifier.port';
import type { TrustedIssuerRepository } from './trusted-issuer-repository.port';
import { scopesForTargets, type Targets } from '../resource-servers/resolve-resources';

export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const TOKEN_TYPE = {
  jwt: 'urn:ietf:params:oauth:token-type:jwt',
  idToken: 'urn:ietf:params:oauth:token-type:id_token',
  accessToken: 'urn:ietf:params:oauth:token-type:access_token',
} as const;
const SUBJECT_TOKEN_TYPES: readonly string[] = [TOKEN_TYPE.jwt, TOKEN_TYPE.idToken];

/** RFC 8693 §2.1 request parameters, as the token endpoint received them (each at most once). */
export interface ExchangeTokenCommand {
  client: Client;
  subjectToken?: string;
  subjectTokenType?: string;
  requestedTokenType?: string;
  actorToken?: string;
  actorTokenType?: string;
  audience?: string;
  /** The `resource` parameters, resolved (RFC 8707): the token's audience. */
  targets?: Targets;
  scopes?: string[];
}

export interface ExchangeSettings {
  /** The one audience Tessera issues access tokens for. */
  audience: string;
}

const invalid = (why: string) => new DomainError('invalid_request', why);

/**
 * RFC 8693 token exchange for workload identity federation: a client of the tenant presents a
 * JWT from an issuer the tenant trusts and receives a Tessera access token for that workload.
 *
 * Errors follow RFC 8693 §2.2.2: an invalid or unacceptable subject token (untrusted issuer,
 * bad signature, wrong audience, expired, …) is `invalid_request`, not `invalid_grant`; an
 * audience or resource we do not issue for is `invalid_target`.
 *
 * No `act` claim: there is no actor token, so nobody acts *for* the subject — the workload
 * trades its own identity (impersonation semantics, RFC 8693 §1.1). The client that performed
 * the exchange is named by `client_id` (RFC 9068), and the exchange is recorded under it.
 */
export class ExchangeTokenUseCase {
  constructor(
    private readonly issuers: TrustedIssuerRepository,
    private readonly verifier: SubjectTokenVerifier,
    private readonly issue: IssueTokenUseCase,
    private readonly settings: ExchangeSettings,
    private readonly mappings?: ExchangeMappingRepository,
  ) {}

  async execute(cmd: ExchangeTokenCommand): Promise<TokenResponse> {
    const { client } = cmd;
    this.checkRequest(cmd);
    const iss = this.verifier.unverifiedIssuer(cmd.subjectToken!);
    const trusted = await this.issuers.findActive(client.tenantId, iss);
    if (!trusted) throw invalid('the subject token’s issuer is not trusted by this tenant');
    const verified = await this.verifier.verify(cmd.subjectToken!, trusted);
    const subject = exchangedSubject(trusted, verified.sub);
    const rule = await this.ruleFor(trusted, verified, cmd);

    // A rule narrows what the issuer allows; it never widens it.
    const issuerScopes = rule
      ? rule.scopes.filter((s) => trusted.allowedScopes.includes(s))
      : trusted.allowedScopes;
    const grantable = issuerScopes.filter((s) => client.scopes.includes(s));
    if (cmd.scopes?.some((s) => !grantable.includes(s))) {
      throw new DomainError(
        'invalid_scope',
        'the requested scope exceeds what this issuer and client may be granted',
      );
    }
    const scopes = scopesForTargets(cmd.targets, cmd.scopes, grantable);
    const minted = await this.issue.execute({
      tenantId: client.tenantId,
      subject,
      clientId: client.id,
      scopes,
      ...(cmd.targets ? { audience: cmd.targets.audience } : {}),
      ...((rule?.role ?? trusted.role) ? { role: (rule?.role ?? trusted.role)! } : {}),
      ...(rule && Object.keys(rule.claims).length ? { extraClaims: rule.claims } : {}),
      grant: 'token_exchange',
      withRefresh: false,
    });
    return {
      access_token: minted.access_token,
      issued_token_type: TOKEN_TYPE.accessToken,
      token_type: minted.token_type,
      expires_in: minted.expires_in,
      ...(minted.scope ? { scope: minted.scope } : {}),
    };
  }

  /**
   * With rules on the issuer, the first that matches the verified claims decides; none
   * matching refuses the exchange as `invalid_request` (RFC 8693 §2.2.2: the subject token is
   * not acceptable). A rule that names resources allows only those (`invalid_target`).
   * Without rules, the issuer row alone decides (its scopes and role).
   */
  private async ruleFor(
    trusted: TrustedIssuer,
    verified: VerifiedSubjectToken,
    cmd: ExchangeTokenCommand,
  ): Promise<ExchangeMapping | undefined> {
    const rules = (await this.mappings?.forIssuer(trusted.tenantId, trusted.id)) ?? [];
    if (rules.length === 0) return undefined;
    const rule = firstMatch(rules, { ...verified.claims, sub: verified.sub, iss: verified.iss });
    if (!rule) throw invalid('no exchange mapping of this issuer matches the subject token');
    const outside = cmd.targets?.audience.find(
      (r) => rule.resources.length > 0 && !rule.resources.includes(r),
    );
    if (outside !== undefined) {
      throw new DomainError(
        'invalid_target',
        `the matching exchange mapping does not allow the resource ${outside.slice(0, 200)}`,
      );
    }
    return rule;
  }

  private checkRequest(cmd: ExchangeTokenCommand): void {
    if (!cmd.subjectToken) throw invalid('subject_token is required');
    if (!cmd.subjectTokenType) throw invalid('subject_token_type is required');
    if (!SUBJECT_TOKEN_TYPES.includes(cmd.subjectTokenType)) {
      throw invalid(`subject_token_type must be one of ${SUBJECT_TOKEN_TYPES.join(', ')}`);
    }
    if (cmd.requestedTokenType !== undefined && cmd.requestedTokenType !== TOKEN_TYPE.accessToken) {
      throw invalid(`requested_token_type must be ${TOKEN_TYPE.accessToken}`);
    }
    if (cmd.actorToken !== undefined || cmd.actorTokenType !== undefined) {
      throw invalid('actor_token (delegation) is not supported');
    }
    // `resource` (RFC 8707) names registered resource servers; `audience` only the default.
    if (cmd.audience !== undefined && cmd.audience !== this.settings.audience) {
      throw new DomainError(
        'invalid_target',
        `the audience parameter may only name ${this.settings.audience}; use resource for an API`,
      );
    }
  }
}
