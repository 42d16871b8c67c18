import { describe, expect, it } from 'vitest';
import { parseAgentArgs, resolveToken } from '@/agent/cli';

describe('parseAgentArgs', () => {
  it.each([
    {
      argv: ['--control-plane-url', 'https://fleetdeck.example.com'],
      expected: { kind: 'run', options: { controlPlaneUrl: 'https://fleetdeck.example.com' } },
    },
    {
      argv: [
        '--control-plane-url=http://127.0.0.1:3000',
        '--kubeconfig',
        '/tmp/kc',
        '--prometheus-url',
        'http://localhost:9090',
        '--token-file',
        '/var/run/token',
        '--registry-hosts',
        '127.0.0.1:5000, quay.io:443',
        '--log-level',
        'debug',
      ],
      expected: {
        kind: 'run',
        options: {
          controlPlaneUrl: 'http://127.0.0.1:3000',
          kubeconfigPath: '/tmp/kc',
          prometheusUrl: 'http://localhost:9090',
          tokenFile: '/var/run/token',
          registryHosts: ['127.0.0.1:5000', 'quay.io:443'],
          logLevel: 'debug',
        },
      },
    },
    { argv: ['--help'], expected: { kind: 'help' } },
    { argv: [], expected: { kind: 'error', message: '--control-plane-url is required' } },
    { argv: ['--control-plane-url', 'fleetdeck.example.com'], expected: { kind: 'error' } },
    { argv: ['--control-plane-url', 'https://x', '--token', 'secret'], expected: { kind: 'error' } },
    { argv: ['--control-plane-url', 'https://x', '--log-level', 'loud'], expected: { kind: 'error' } },
  ])('$argv', ({ argv, expected }) => {
    expect(parseAgentArgs(argv)).toMatchObject(expected);
  });
});

describe('resolveToken', () => {
  const files: Record<string, string> = { '/token': 'fdct_abc\n', '/empty': '  \n' };
  const read = (path: string) => {
    const content = files[path];
    if (content === undefined) throw new Error('ENOENT');
    return content;
  };

  it.each([
    { file: '/token', env: {}, expected: { token: 'fdct_abc' } },
    { file: undefined, env: { FLEETDECK_CLUSTER_TOKEN: 'fdct_env' }, expected: { token: 'fdct_env' } },
    { file: '/token', env: { FLEETDECK_CLUSTER_TOKEN: 'fdct_env' }, expected: { token: 'fdct_abc' } },
    { file: '/empty', env: {}, expected: { error: '--token-file /empty is empty' } },
    { file: '/missing', env: {}, expected: { error: 'cannot read --token-file /missing: ENOENT' } },
    { file: undefined, env: {}, expected: { error: 'no cluster token: set FLEETDECK_CLUSTER_TOKEN or pass --token-file' } },
  ])('file=$file env=$env', ({ file, env, expected }) => {
    expect(resolveToken(file, env, read)).toEqual(expected);
  });
});
