import { Logger, Module, type DynamicModule } from '@nestjs/common';
import { ResourceServerModule, TesseraPassportStrategy } from '@tessera/resource-server/nest';
import type { ExampleApiConfig } from './config';
import { HealthController } from './health.controller';
import { InvoicesController } from './invoices.controller';
import { MeController } from './me.controller';

const log = new Logger('ResourceServer');

/** Step 2 of protecting an API: the module, with this API's identifier and credentials. */
@Module({})
export class AppModule {
  static forRoot(cfg: ExampleApiConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ResourceServerModule.forRoot({
          ...cfg.resourceServer,
          logger: { info: (m) => log.log(m), warn: (m) => log.warn(m), error: (m) => log.error(m) },
        }),
      ],
      controllers: [InvoicesController, MeController, HealthController],
      providers: [TesseraPassportStrategy],
    };
  }
}
