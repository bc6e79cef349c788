import { protectDashOperands } from './dash-operands';

const kid = '-mje94ZDwBbcsA-nwFQxPeeUHJ5PPAfxiTU1IYLVoCc';
const node = ['node', 'main.js'];

describe('protectDashOperands', () => {
  it.each([
    [
      'a kid that begins with a dash',
      ['keys', 'retire', kid, '--json'],
      ['keys', 'retire', '--json', '--', kid],
    ],
    [
      'options stay in front of it',
      ['keys', 'retire', '--json', kid],
      ['keys', 'retire', '--json', '--', kid],
    ],
    [
      'an existing terminator keeps what follows it',
      ['keys', 'retire', kid, '--', 'x'],
      ['keys', 'retire', '--', kid, 'x'],
    ],
    [
      'a plain kid is left alone',
      ['keys', 'retire', 'abc', '--json'],
      ['keys', 'retire', 'abc', '--json'],
    ],
    [
      'long options and short junk are left to commander',
      ['keys', '--alg', 'ES256', '-x'],
      ['keys', '--alg', 'ES256', '-x'],
    ],
    [
      'after a terminator nothing moves',
      ['keys', 'retire', '--', kid],
      ['keys', 'retire', '--', kid],
    ],
  ])('%s', (_name, args, expected) => {
    expect(protectDashOperands([...node, ...args])).toEqual([...node, ...expected]);
  });
});
