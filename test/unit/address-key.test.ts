import { describe, expect, it } from 'vitest';
import { addressKey, UNKNOWN_ADDRESS } from '../../src/http/address-key';

describe('addressKey', () => {
  it('keeps an IPv4 address as it is', () => {
    expect(addressKey('10.20.0.1')).toBe('10.20.0.1');
  });
  it('counts an IPv6 address by its /64, however it is written', () => {
    const k = '2001:db8:1:2::/64';
    expect(addressKey('2001:db8:1:2::1')).toBe(k);
    expect(addressKey('2001:0db8:0001:0002:ffff:1234:5678:9abc')).toBe(k);
    expect(addressKey('2001:DB8:1:2:0:0:0:7')).toBe(k);
    expect(addressKey('2001:db8:1:2::5%eth0')).toBe(k);
    expect(addressKey('2001:db8:1:3::1')).not.toBe(k);
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('fe80::1:2:3:4')).toBe('fe80:0:0:0::/64');
  });
  it('reads an IPv4-mapped IPv6 address as the IPv4 address', () => {
    expect(addressKey('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(addressKey('::ffff:c000:207')).toBe('192.0.2.7');
  });
  it('gives an unknown address one fixed key, never ""', () => {
    expect(addressKey('')).toBe(UNKNOWN_ADDRESS);
    expect(addressKey(undefined)).toBe(UNKNOWN_ADDRESS);
  });
});
