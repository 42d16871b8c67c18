import { describe, expect, it } from 'vitest';
import { CLOSE_CODES } from '@/lib/agent-protocol';
import { agentCloseReason, controlPlaneCloseReason, silenceReason } from './disconnect-reasons';

describe('disconnect reasons', () => {
  it.each([
    [CLOSE_CODES.revoked, 'cluster token rotated', 'Token revoked: cluster token rotated'],
    [CLOSE_CODES.replaced, 'Another connection for this cluster took over', 'Replaced by a newer session of the agent'],
    [CLOSE_CODES.heartbeatTimeout, silenceReason(26_040, 25_000), 'Heartbeat missed: nothing heard for 26.0 s (timeout 25.0 s)'],
    [CLOSE_CODES.reconnect, 'Cluster settings changed', 'Control plane asked the agent to reconnect: Cluster settings changed'],
    [1001, 'The control plane is shutting down', 'Control plane stopping'],
    [CLOSE_CODES.policyViolation, 'Too many frames', 'Closed by the control plane (1008): Too many frames'],
  ])('closed by the control plane with %i', (code, reason, expected) => {
    expect(controlPlaneCloseReason(code, reason)).toBe(expected);
  });

  it.each([
    [1000, 'agent stopping', 'Agent closed the connection (1000: agent stopping)'],
    [1001, '', 'Agent closed the connection (1001)'],
    [1005, '', 'Agent closed the connection without a code'],
    [1006, '', 'Connection lost: no close frame (1006), the network dropped or the agent was killed'],
  ])('closed by the agent with %i', (code, reason, expected) => {
    expect(agentCloseReason(code, reason)).toBe(expected);
  });
});
