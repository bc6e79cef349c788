import { CidrAllowList } from './cidr-allow-list';

describe('CidrAllowList', () => {
  const loopback = new CidrAllowList(['127.0.0.0/8', '::1/128']);

  it('admits loopback v4, v6 and IPv4-mapped loopback', () => {
    expect(loopback.allows('127.0.0.1')).toBe(true);
    expect(loopback.allows('127.9.9.9')).toBe(true);
    expect(loopback.allows('::1')).toBe(true);
    expect(loopback.allows('::ffff:127.0.0.1')).toBe(true);
  });

  it('refuses other addresses, mapped or not, and garbage', () => {
    for (const a of [
      '10.0.0.1',
      '::ffff:10.0.0.1',
      '::2',
      'fe80::1',
      '',
      'localhost',
      '127.0.0.1, 10.0.0.1',
    ]) {
      expect(loopback.allows(a)).toBe(false);
    }
    expect(loopback.allows(undefined)).toBe(false);
  });

  it('an IPv4-mapped range matches the plain IPv4 address it maps', () => {
    const list = new CidrAllowList(['::ffff:10.1.0.0/112']);
    expect(list.allows('10.1.2.3')).toBe(true);
    expect(list.allows('::ffff:10.1.2.3')).toBe(true);
    expect(list.allows('10.2.0.1')).toBe(false);
  });

  it('an empty list admits nobody', () => {
    expect(new CidrAllowList([]).allows('127.0.0.1')).toBe(false);
  });
});
