import { firstMatch, mappingMatches, validateExchangeMapping } from './exchange-mapping';

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
};

describe('exchange mappings', () => {
  const k8s = {
    sub: 'system:serviceaccount:payments:deployer',
    'kubernetes.io': { namespace: 'payments', serviceaccount: { name: 'deployer' } },
    groups: ['ci', 'deploy'],
  };

  it('match exact values and * patterns on sub and nested claims', () => {
    expect(mappingMatches({ match: { 'kubernetes.io/namespace': 'payments' } }, k8s)).toBe(true);
    expect(mappingMatches({ match: { sub: 'system:serviceaccount:payments:*' } }, k8s)).toBe(true);
    expect(mappingMatches({ match: { sub: 'system:serviceaccount:*:deployer' } }, k8s)).toBe(true);
    expect(mappingMatches({ match: { sub: 'system:serviceaccount:pay' } }, k8s)).toBe(false);
    expect(
      mappingMatches(
        {
          match: {
            'kubernetes.io/namespace': 'payments',
            'kubernetes.io/serviceaccount/name': 'x',
          },
        },
        k8s,
      ),
    ).toBe(false);
    // Regex characters in a pattern are literal; an array claim matches by any element.
    expect(mappingMatches({ match: { sub: 'system.serviceaccount*' } }, k8s)).toBe(false);
    expect(mappingMatches({ match: { groups: 'deploy' } }, k8s)).toBe(true);
    expect(mappingMatches({ match: { missing: '*' } }, k8s)).toBe(false);
    expect(mappingMatches({ match: { 'sub/length': '*' } }, k8s)).toBe(false);
  });

  it('the lowest priority wins, then the oldest rule', () => {
    const rules = [
      { id: 'xm_2', priority: 10, match: { sub: '*' } },
      { id: 'xm_1', priority: 10, match: { sub: '*' } },
      { id: 'xm_0', priority: 50, match: { sub: '*' } },
    ];
    expect(firstMatch(rules, k8s)?.id).toBe('xm_1');
    expect(firstMatch([{ id: 'a', priority: 1, match: { sub: 'nope' } }], k8s)).toBeUndefined();
  });

  it('a mapping can never set registered or Tessera claims, nor claims outside the allow-list', () => {
    const allow = ['namespace', 'iss'];
    for (const name of [
      'iss',
      'sub',
      'aud',
      'exp',
      'jti',
      'org',
      'role',
      'scope',
      'client_id',
      'act',
    ]) {
      expect(
        code(() =>
          validateExchangeMapping({ match: { sub: '*' }, claims: { [name]: 'x' } }, allow),
        ),
      ).toBe('invalid_request');
    }
    expect(
      code(() => validateExchangeMapping({ match: { sub: '*' }, claims: { team: 'x' } }, allow)),
    ).toBe('invalid_request');
    expect(
      validateExchangeMapping({ match: { sub: '*' }, claims: { namespace: 'payments' } }, allow)
        .claims,
    ).toEqual({ namespace: 'payments' });
  });

  it('refuses malformed rules', () => {
    const bad = [
      {},
      { match: {} },
      { match: { sub: '' } },
      { match: { 'a b': 'x' } },
      { match: { sub: '*' }, priority: -1 },
      { match: { sub: '*' }, scopes: ['a\\b'] },
      { match: { sub: '*' }, role: 'god' },
    ];
    for (const spec of bad) expect(code(() => validateExchangeMapping(spec, []))).toBeDefined();
  });
});
