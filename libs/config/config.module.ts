import { Global, Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { loadConfig, type AppConfig } from './config';

export const APP_CONFIG = Symbol('AppConfig');

/**
 * @nestjs/config hands the environment to our schema once, at boot, and the typed result is
 * injected as APP_CONFIG. Tests pass a ready config so several apps can run in one process.
 */
@Global()
@Module({})
export class TesseraConfigModule {
  static forRoot(given?: AppConfig): DynamicModule {
    return {
      module: TesseraConfigModule,
      imports: [
        ConfigModule.forRoot({
          ignoreEnvFile: true,
          ignoreEnvVars: Boolean(given),
          validate: (env) => ({ ...env, tessera: given ?? loadConfig(env) }),
        }),
      ],
      providers: [
        {
          provide: APP_CONFIG,
          inject: [ConfigService],
          useFactory: (cs: ConfigService): AppConfig => cs.getOrThrow<AppConfig>('tessera'),
        },
      ],
      exports: [APP_CONFIG],
    };
  }
}
