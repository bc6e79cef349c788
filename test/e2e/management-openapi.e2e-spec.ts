import { execFileSync } from 'node:child_process';
import { ManagementServer } from '../../apps/auth/src/management/management-server';
import { createTestDatabase, type TestDatabase } from '@tessera/testing/test-database';
import { startTestApp, type RunningApp } from '@tessera/testing/test-app';

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
}
interface OpenApiDoc {
  openapi: string;
  paths: Record<
    string,
    Record<string, { security?: unknown[]; responses: Record<string, unknown> }>
  >;
}

/** The validator is ESM-only: it runs in a node of its own, reading the document on stdin. */
function validateOpenApi(doc: unknown): { valid: boolean; errors?: unknown } {
  const script = `
    import { Validator } from '@seriousme/openapi-schema-validator';
    let text = '';
    for await (const chunk of process.stdin) text += chunk;
    const res = await new Validator().validate(JSON.parse(text));
    process.stdout.write(JSON.stringify(res));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    input: JSON.stringify(doc),
    encoding: 'utf8',
  });
  return JSON.parse(out) as { valid: boolean; errors?: unknown };
}

describe('management API › OpenAPI document (GET /docs/openapi.json on MANAGEMENT_PORT)', () => {
  let db: TestDatabase;
  let app: RunningApp;
  let mgmt: string;
  let doc: OpenApiDoc;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(db, { MANAGEMENT_PORT: '0' });
    const port = await app.app.get(ManagementServer).listen();
    mgmt = `http://127.0.0.1:${port}`;
    const res = await fetch(`${mgmt}/docs/openapi.json`);
    expect(res.status).toBe(200);
    doc = (await res.json()) as OpenApiDoc;
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('validates against the OpenAPI 3 schema', () => {
    expect(doc.openapi).toMatch(/^3\./);
    const result = validateOpenApi(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('describes every API route the app serves on that port, and no other (the docs UI aside)', () => {
    const stack = (app.app.getHttpAdapter().getInstance() as { router: { stack: Layer[] } }).router
      .stack;
    const served = stack
      .filter((l) => l.route?.path.startsWith('/_management/api/'))
      .flatMap((l) =>
        Object.keys(l.route!.methods).map(
          (m) =>
            `${m} ${l.route!.path.slice('/_management'.length).replace(/:([a-z_]+)/g, '{$1}')}`,
        ),
      )
      .sort();
    const documented = Object.entries(doc.paths)
      .flatMap(([p, item]) => Object.keys(item).map((m) => `${m} ${p}`))
      .sort();
    expect(served.length).toBeGreaterThan(10);
    expect(documented).toEqual(served);
    for (const [p, item] of Object.entries(doc.paths)) {
      for (const [m, op] of Object.entries(item)) {
        expect({ op: `${m} ${p}`, security: op.security }).toEqual({
          op: `${m} ${p}`,
          security: [{ bearer: [] }],
        });
        expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['401', '403', '404']));
      }
    }
  });

  it('serves the Swagger UI at /docs with its assets', async () => {
    const page = await fetch(`${mgmt}/docs`);
    expect(page.status).toBe(200);
    const html = await page.text();
    const assets = [...html.matchAll(/(?:src|href)="([^"]+\.(?:js|css))"/g)].map((m) => m[1]!);
    expect(assets.length).toBeGreaterThan(0);
    for (const a of assets) {
      const res = await fetch(new URL(a, `${mgmt}/docs/`));
      expect({ a, status: res.status }).toEqual({ a, status: 200 });
    }
  });

  it('startup refuses MANAGEMENT_PORT equal to PORT', async () => {
    const { loadConfig } = await import('@tessera/config');
    expect(() => loadConfig({ PORT: '4000', MANAGEMENT_PORT: '4000' })).toThrow(
      /MANAGEMENT_PORT must differ from PORT/,
    );
    expect(loadConfig({}).management).toEqual({ host: '127.0.0.1', port: 3001 });
    expect(loadConfig({ MANAGEMENT_PORT: 'off' }).management).toBeUndefined();
    // A free public port (tests) means a free management port too, unless one is named.
    expect(loadConfig({ PORT: '0' }).management?.port).toBe(0);
    expect(loadConfig({ PORT: '0', MANAGEMENT_PORT: '4001' }).management?.port).toBe(4001);
  });
});
