export { ResourceServerModule } from './nest/resource-server.module';
export { TesseraGuard, ScopesGuard } from './nest/tessera.guard';
export { RequireScopes, TesseraPrincipal } from './nest/require-scopes.decorator';
export { TesseraPassportStrategy } from './nest/passport-strategy';
export { RESOURCE_SERVER } from './nest/tokens';
