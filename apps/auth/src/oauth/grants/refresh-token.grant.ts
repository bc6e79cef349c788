import { Inject, Injectable } from '@nestjs/common';
import { DI } from '@tessera/application/di-tokens';
import { DomainError } from '@tessera/domain/shared/domain-error';
import { looksLikeRefreshSecret } from '@tessera/domain/refresh/refresh-secret';
import { refreshInvalid } from '@tessera/domain/refresh/refresh.errors';
import type { RotateRefreshUseCase } from '@tessera/application/rotate-refresh/rotate-refresh.use-case';
import type { TokenResponse } from '@tessera/application/tokens/token-response';
import type { Grant, GrantRequest } from './grant';

/** RFC 6749 §6: rotate the refresh token (its resources are checked by the use case). */
@Injectable()
export class RefreshTokenGrant implements Grant {
  readonly type = 'refresh_token';

  constructor(@Inject(DI.RotateRefresh) private readonly rotate: RotateRefreshUseCase) {}

  handle({ client, form, scopes, resources }: GrantRequest): Promise<TokenResponse> {
    if (!form.refresh_token) throw new DomainError('invalid_request', 'refresh_token is required');
    // Not one of ours by its shape: no store lookup for it.
    if (!looksLikeRefreshSecret(form.refresh_token)) throw refreshInvalid();
    return this.rotate.execute({ refreshToken: form.refresh_token, client, scopes, resources });
  }
}
