import { describe, expect, it } from 'vitest';
import { createAgentLogger } from '@/agent/logger';

describe('createAgentLogger', () => {
  it('writes one JSON object per line with bound fields', () => {
    const lines: string[] = [];
    const log = createAgentLogger({ write: (l) => lines.push(l), fields: { component: 'agent' }, level: 'info' });
    log.child({ conn: 3 }).info('connected', { url: 'ws://cp' });
    const entry = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
    expect(entry).toMatchObject({ level: 'info', msg: 'connected', component: 'agent', conn: 3, url: 'ws://cp' });
  });

  it('scrubs registered secrets wherever they appear, including inside errors', () => {
    const lines: string[] = [];
    const token = 'fdct_0123456789abcdefghijklmnopqrstuvwxyz';
    const log = createAgentLogger({ write: (l) => lines.push(l), secrets: [token], level: 'info' });
    log.error('oops', { err: new Error(`bad header Bearer ${token}`), header: `Bearer ${token}` });
    expect(lines.join('\n')).not.toContain(token);
    expect(lines[0]).toContain('[redacted]');
  });

  it('drops lines below the level', () => {
    const lines: string[] = [];
    const log = createAgentLogger({ write: (l) => lines.push(l), level: 'warn' });
    log.info('quiet');
    log.warn('loud');
    expect(lines).toHaveLength(1);
  });
});
