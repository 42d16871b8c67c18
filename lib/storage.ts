/**
 * Storage integration vocabulary shared by the store, the server and the browser: the
 * kinds of object storage an ML repo can live on, and the steps of a connection test.
 * Credentials are write-only: they are sealed at rest and never leave the server.
 */
export const STORAGE_KINDS = ['s3', 'gcs', 'azure-blob', 's3-compatible'] as const;
export type StorageKind = (typeof STORAGE_KINDS)[number];

export const STORAGE_KIND_LABELS: Record<StorageKind, string> = {
  s3: 'AWS S3',
  gcs: 'Google Cloud Storage',
  'azure-blob': 'Azure Blob',
  's3-compatible': 'S3-compatible',
};

/**
 * Settings that are not secret, per kind, as stored beside the sealed credentials.
 * `region` (AWS S3), `endpoint` (S3-compatible), `roleArn` (AWS S3 with a role to assume).
 */
export interface StorageSettings {
  region?: string;
  endpoint?: string;
  roleArn?: string;
}

/** What a connection test does, in order: write, read back and delete a probe object under the prefix. */
export const PROBE_STEPS = ['write', 'read', 'delete'] as const;
export type ProbeStep = (typeof PROBE_STEPS)[number];

export interface ProbeStepResult {
  step: ProbeStep;
  ok: boolean;
  /** Plain words: "Bucket models does not exist", "Access denied: the key was refused", … */
  message: string;
}

export interface ConnectionTestResult {
  ok: boolean;
  steps: ProbeStepResult[];
  /** When the test ran (ISO 8601). */
  at: string;
}
