import { describe, expect, it } from 'vitest';
import { reachabilityWarning, unreachableReason } from '@/lib/install/reachability';

describe('reachability of the agent URL', () => {
  it.each([
    ['http://localhost:3000', 'a loopback address'],
    ['http://127.0.0.1:3000', 'a loopback address'],
    ['http://127.8.9.10', 'a loopback address'],
    ['http://[::1]:3000', 'a loopback address'],
    ['http://10.1.2.3', 'a private address'],
    ['http://172.16.0.1', 'a private address'],
    ['http://172.31.255.255', 'a private address'],
    ['http://192.168.1.20:3000', 'a private address'],
    ['http://169.254.1.1', 'a link-local address'],
    ['http://[fe80::1]', 'a link-local address'],
    ['http://[fd12::1]', 'a private address'],
    ['http://fleetdeck.local', 'an mDNS (.local) name'],
    ['http://fleetdeck', 'a bare host name'],
  ])('%s is %s', (url, reason) => {
    expect(unreachableReason(url)).toBe(reason);
    expect(reachabilityWarning(url)).toContain('FLEETDECK_PUBLIC_URL');
  });

  it.each(['https://fleetdeck.example.com', 'http://172.32.0.1', 'http://11.0.0.1', 'https://[2001:db8::1]', 'http://192.169.0.1'])(
    '%s looks reachable',
    (url) => {
      expect(unreachableReason(url)).toBeNull();
      expect(reachabilityWarning(url)).toBeNull();
    },
  );
});
