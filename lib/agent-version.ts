/** The agent's version, reported in `hello` and used as the default image tag. */
export const AGENT_VERSION = '0.1.0';
