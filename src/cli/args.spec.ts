import { parseRule, parseSplit, parseSteps, parseVersion } from './args';
import { UsageError } from './output';

describe('parseSplit', () => {
  it('keeps the order of version:weight pairs', () => {
    expect(parseSplit('2:5,1:95')).toEqual([
      { version: 2, weight: 5 },
      { version: 1, weight: 95 },
    ]);
    expect(parseSplit(' v3:1 , 2:9999 ')).toEqual([
      { version: 3, weight: 1 },
      { version: 2, weight: 9999 },
    ]);
  });

  it.each(['', '2', '2:', ':5', '2:5,2:95', '0:5', '2:-1', '2:5;1:95', 'a:b'])('refuses %j as a usage error', (text) => {
    expect(() => parseSplit(text)).toThrow(UsageError);
  });
});

describe('parseRule', () => {
  it('parses attribute=value:version', () => {
    expect(parseRule('tenant=acme:2')).toEqual({ match: { tenant: ['acme'] }, version: 2 });
  });

  it('parses several attributes and several values', () => {
    expect(parseRule('tenant=acme|globex,locale=de-DE:3')).toEqual({ match: { tenant: ['acme', 'globex'], locale: ['de-DE'] }, version: 3 });
  });

  it('splits the version at the last colon, so values may contain colons', () => {
    expect(parseRule('region=eu:west:4')).toEqual({ match: { region: ['eu:west'] }, version: 4 });
  });

  it.each(['tenant=acme', 'tenant:2', '=acme:2', 'tenant=:2', 'tenant=acme:x', 'tenant=a,tenant=b:2'])('refuses %j as a usage error', (text) => {
    expect(() => parseRule(text)).toThrow(UsageError);
  });
});

describe('parseSteps and parseVersion', () => {
  it('parses increasing percentages', () => {
    expect(parseSteps('1,5,25,50,100')).toEqual([1, 5, 25, 50, 100]);
    expect(parseSteps('0.5%,10%')).toEqual([0.5, 10]);
  });

  it.each(['', '5,1', '0,5', '1,101', '1,x'])('refuses steps %j', (text) => {
    expect(() => parseSteps(text)).toThrow(UsageError);
  });

  it('accepts 3 and v3, refuses 0 and junk', () => {
    expect(parseVersion('3')).toBe(3);
    expect(parseVersion('v3')).toBe(3);
    expect(() => parseVersion('0')).toThrow(UsageError);
    expect(() => parseVersion('3.5')).toThrow(UsageError);
  });
});
