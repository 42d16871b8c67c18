/**
 * Whether the URL agents are told to dial looks reachable from a cluster elsewhere.
 * Install commands built on `http://localhost:3000` or a private address work only from
 * this machine or its network; the attach page warns and names the fix.
 */

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function privateIpv4(host: string): string | null {
  const match = IPV4.exec(host);
  if (!match) return null;
  const [a, b] = [Number(match[1]), Number(match[2])];
  if (a === 127) return 'a loopback address';
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return 'a private address';
  if (a === 169 && b === 254) return 'a link-local address';
  if (a === 0) return 'an unspecified address';
  return null;
}

function privateIpv6(host: string): string | null {
  if (!host.includes(':')) return null;
  const h = host.toLowerCase();
  if (h === '::1') return 'a loopback address';
  if (h === '::') return 'an unspecified address';
  if (/^fe[89ab][0-9a-f]?:/.test(h)) return 'a link-local address';
  if (/^f[cd][0-9a-f]{0,2}:/.test(h)) return 'a private address';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h);
  return mapped?.[1] ? privateIpv4(mapped[1]) : null;
}

/** Why a cluster is unlikely to reach `url` (a phrase), or null when it looks public. */
export function unreachableReason(url: string): string | null {
  let host: string;
  try {
    host = new URL(url).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  } catch {
    return 'not a URL';
  }
  if (host === 'localhost' || host.endsWith('.localhost')) return 'a loopback address';
  if (host.endsWith('.local')) return 'an mDNS (.local) name';
  if (!host.includes('.') && !host.includes(':')) return 'a bare host name';
  return privateIpv4(host) ?? privateIpv6(host);
}

/** The warning the install instructions carry, with the fix; null when the URL looks public. */
export function reachabilityWarning(url: string): string | null {
  const reason = unreachableReason(url);
  if (!reason) return null;
  return (
    `Agents are told to dial ${url}, ${reason} that a cluster elsewhere is unlikely to reach. ` +
    'Set FLEETDECK_PUBLIC_URL to the address clusters can reach (for example https://fleetdeck.example.com) ' +
    'and restart the control plane, then rotate the token to get commands that use it.'
  );
}
