export { ResourceServer } from './core/resource-server';
export type { AuthOutcome, Principal, TesseraClaims } from './core/resource-server';
export type { ResourceServerOptions, Logger } from './core/options';
export type { FeedState, FeedStatus } from './core/revocation-feed';
export type { Refusal } from './core/challenge';
export { ACCESS_TOKEN_TYP, ALLOWED_ALGORITHMS } from './core/verification-rules';
export { tesseraMiddleware, requireScopes } from './express/middleware';
