export { loadConfig, ConfigError, type AppConfig } from './config';
export { TesseraConfigModule, APP_CONFIG } from './config.module';
