import { roleFromGroups } from './group-mapping';

describe('groups → role', () => {
  const pattern = 'tessera:{tenant}:{role}';

  it('maps tessera:<slug>:<role> for the requested tenant only', () => {
    expect(roleFromGroups(['tessera:acme:member', 'tessera:other:owner'], pattern, 'acme')).toBe(
      'member',
    );
    expect(roleFromGroups(['tessera:other:owner'], pattern, 'acme')).toBeNull();
  });

  it('takes the strongest of several roles and ignores unknown roles and non-strings', () => {
    expect(
      roleFromGroups(
        ['tessera:acme:viewer', 'tessera:acme:admin', 'tessera:acme:root', 7],
        pattern,
        'acme',
      ),
    ).toBe('admin');
  });

  it('matches the whole group name, with the pattern’s punctuation taken literally', () => {
    expect(
      roleFromGroups(['xtessera:acme:admin', 'tessera:acme:admin2'], pattern, 'acme'),
    ).toBeNull();
    expect(roleFromGroups(['app.acme.owner'], 'app.{tenant}.{role}', 'acme')).toBe('owner');
    expect(roleFromGroups(['appXacmeXowner'], 'app.{tenant}.{role}', 'acme')).toBeNull();
  });
});
