import { loadConfig } from './config';

/** LOG_FORMAT: JSON for machines, one readable line for a person at a terminal. */
describe('LOG_FORMAT', () => {
  const tty = Object.getOwnPropertyDescriptor(process.stdout, 'isTTY');
  const setTty = (value: boolean) =>
    Object.defineProperty(process.stdout, 'isTTY', { value, configurable: true });
  afterEach(() => {
    if (tty) Object.defineProperty(process.stdout, 'isTTY', tty);
    else delete (process.stdout as { isTTY?: boolean }).isTTY;
  });
  const prod = { NODE_ENV: 'production', ISSUER: 'https://tessera.example' };

  it.each([
    { name: 'auto, development, terminal', env: {}, isTty: true, pretty: true },
    { name: 'auto, development, piped', env: {}, isTty: false, pretty: false },
    { name: 'auto, production, terminal', env: prod, isTty: true, pretty: false },
    {
      name: 'json, development, terminal',
      env: { LOG_FORMAT: 'json' },
      isTty: true,
      pretty: false,
    },
    {
      name: 'pretty, production, piped',
      env: { ...prod, LOG_FORMAT: 'pretty' },
      isTty: false,
      pretty: true,
    },
  ])('$name → pretty: $pretty', ({ env, isTty, pretty }) => {
    setTty(isTty);
    expect(loadConfig(env as NodeJS.ProcessEnv).logPretty).toBe(pretty);
  });

  it('anything else is refused naming the variable', () => {
    expect(() => loadConfig({ LOG_FORMAT: 'xml' } as NodeJS.ProcessEnv)).toThrow(/LOG_FORMAT/);
  });
});
