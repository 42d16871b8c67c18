/**
 * Setup file of the `postgres` vitest project, run in each test worker: points
 * testing/test-store.ts at the server and the migrated template the global setup made.
 */
import { inject } from 'vitest';

process.env.FLEETDECK_TEST_POSTGRES_URL = inject('postgresServerUrl');
process.env.FLEETDECK_TEST_POSTGRES_TEMPLATE = inject('postgresTemplate');
