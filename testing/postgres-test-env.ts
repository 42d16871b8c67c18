/**
 * Setup file of the `postgres` vitest project, run in each test worker: points
 * testing/test-store.ts at the server the global setup started.
 */
import { inject } from 'vitest';

process.env.FLEETDECK_TEST_POSTGRES_URL = inject('postgresServerUrl');
