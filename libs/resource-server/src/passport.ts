export { TesseraStrategy, TesseraUnavailableError } from './passport/tessera.strategy';
export type { TesseraStrategyOptions, Verify } from './passport/tessera.strategy';
