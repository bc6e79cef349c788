import { DomainError } from '../shared/domain-error';
import { audienceOf, audiences, checkResourceIndicator } from './resource-server';

describe('RFC 8707 resource indicator', () => {
  it.each(['https://api.example.com/v1', 'urn:example:api', 'http://localhost:8080'])(
    'accepts the absolute URI %s as given',
    (uri) => expect(checkResourceIndicator(uri)).toBe(uri),
  );

  it.each([
    ['relative', '/api'],
    ['scheme-less', 'api.example.com'],
    ['with a fragment', 'https://api.example.com/#x'],
    ['with whitespace', 'https://api.example.com/ x'],
    ['empty', ''],
    ['too long', `https://a.example/${'x'.repeat(2048)}`],
  ])('refuses %s → invalid_target', (_, uri) => {
    expect(() => checkResourceIndicator(uri)).toThrow(DomainError);
    try {
      checkResourceIndicator(uri);
    } catch (e) {
      expect((e as DomainError).code).toBe('invalid_target');
    }
  });

  it('aud is a string for one resource, an array for several; audiences() reads both', () => {
    expect(audienceOf(['https://a'])).toBe('https://a');
    expect(audienceOf(['https://a', 'https://b'])).toEqual(['https://a', 'https://b']);
    expect(audiences('x')).toEqual(['x']);
    expect(audiences(['x', 'y'])).toEqual(['x', 'y']);
    expect(audiences(undefined)).toEqual([]);
  });
});
