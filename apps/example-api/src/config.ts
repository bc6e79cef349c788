import { z } from 'zod';
import type { ResourceServerOptions } from '@tessera/resource-server';

const schema = z.object({
  TESSERA_ISSUER: z.url(),
  RESOURCE_IDENTIFIER: z.string().min(1),
  RESOURCE_CLIENT_ID: z.string().min(1),
  RESOURCE_CLIENT_SECRET: z.string().min(1),
  PORT: z.coerce.number().int().min(0).max(65535).default(3100),
  HOST: z.string().default('127.0.0.1'),
  /** Where to reach Tessera when its issuer URL is not routable from here. */
  TESSERA_METADATA_URL: z.url().optional(),
  REVOCATION_EVENTS_ENDPOINT: z.url().optional(),
  FEED_FAIL_CLOSED_AFTER_SECONDS: z.coerce.number().min(0).default(60),
  JWKS_COOLDOWN_SECONDS: z.coerce.number().min(0).default(30),
});

export interface ExampleApiConfig {
  port: number;
  host: string;
  resourceServer: Omit<ResourceServerOptions, 'logger'>;
}

/** Env → config; a bad or missing variable stops the process with one clear line. */
export function loadConfig(env: NodeJS.ProcessEnv): ExampleApiConfig {
  const r = schema.safeParse(env);
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`example-api: bad configuration: ${issues}`);
  }
  const e = r.data;
  return {
    port: e.PORT,
    host: e.HOST,
    resourceServer: {
      issuer: e.TESSERA_ISSUER,
      identifier: e.RESOURCE_IDENTIFIER,
      clientId: e.RESOURCE_CLIENT_ID,
      clientSecret: e.RESOURCE_CLIENT_SECRET,
      metadataUrl: e.TESSERA_METADATA_URL,
      revocationEventsEndpoint: e.REVOCATION_EVENTS_ENDPOINT,
      failClosedAfterSeconds: e.FEED_FAIL_CLOSED_AFTER_SECONDS,
      jwksCooldownSeconds: e.JWKS_COOLDOWN_SECONDS,
    },
  };
}
