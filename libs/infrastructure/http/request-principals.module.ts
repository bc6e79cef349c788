import { Global, Module } from '@nestjs/common';
import { RequestPrincipals } from './request-principals';

/** One RequestPrincipals for the rate limiter, the OAuth endpoints and the session guards. */
@Global()
@Module({ providers: [RequestPrincipals], exports: [RequestPrincipals] })
export class RequestPrincipalsModule {}
