import { Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DI } from '@tessera/application/di-tokens';
import { RequestPrincipals } from '@tessera/infrastructure/http/request-principals';
import {
  parsePollRequest,
  PollRequestError,
  type PollRevocationEvents,
} from '@tessera/application/revocation-feed/poll-revocation-events.use-case';
import { bodyCredentials } from '@tessera/infrastructure/http/credentials';

/**
 * POST /oauth/revocation-events (RFC 8936 poll delivery, FEED-CONTRACT.md): a resource server
 * authenticates with its client credentials (Basic, or client_id/client_secret in the JSON
 * body) and receives its tenant's revocation SETs.
 */
@Controller('oauth')
export class RevocationEventsController {
  constructor(
    private readonly principals: RequestPrincipals,
    @Inject(DI.RevocationFeed) private readonly feed: PollRevocationEvents,
  ) {}

  @Post('revocation-events')
  @HttpCode(200)
  async poll(@Req() req: Request, @Res() res: Response): Promise<void> {
    const body: unknown = req.body;
    const client = await this.principals.client(req, bodyCredentials(body));
    if (!req.is('application/json')) {
      throw new PollRequestError('the request body must be application/json');
    }
    const poll = parsePollRequest(body);
    // A receiver that gives up stops its wait: nothing is left holding a timer for it.
    const gone = new AbortController();
    res.on('close', () => gone.abort());
    const out = await this.feed.execute(client, poll, gone.signal);
    if (res.destroyed) return;
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Pragma', 'no-cache');
    res.json(out);
  }
}
