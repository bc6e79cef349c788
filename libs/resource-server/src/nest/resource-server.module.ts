import {
  Inject,
  Injectable,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
  type Provider,
} from '@nestjs/common';
import type { ResourceServerOptions } from '../core/options';
import { ResourceServer } from '../core/resource-server';
import { ScopesGuard, TesseraGuard } from './tessera.guard';
import { RESOURCE_SERVER } from './tokens';

@Injectable()
class Lifecycle implements OnApplicationShutdown {
  constructor(@Inject(RESOURCE_SERVER) private readonly rs: ResourceServer) {}
  onApplicationShutdown(): Promise<void> {
    return this.rs.close();
  }
}

/**
 * `ResourceServerModule.forRoot(() => options)`: one ResourceServer for the app (created at
 * startup: discovery and JWKS must work), the guards, and a clean feed stop on shutdown.
 */
@Module({})
export class ResourceServerModule {
  static forRoot(
    options: ResourceServerOptions | (() => ResourceServerOptions | Promise<ResourceServerOptions>),
  ): DynamicModule {
    const server: Provider = {
      provide: RESOURCE_SERVER,
      useFactory: async () =>
        ResourceServer.create(typeof options === 'function' ? await options() : options),
    };
    return {
      module: ResourceServerModule,
      global: true,
      providers: [server, Lifecycle, TesseraGuard, ScopesGuard],
      exports: [RESOURCE_SERVER, TesseraGuard, ScopesGuard],
    };
  }
}
