/**
 * From a create (or replace) input to what is stored: the non-secret settings, the
 * credentials JSON to seal, and a hint that says which credentials these are without
 * being enough to use them.
 */
import {
  connectionStringAccount,
  type CreateStorageIntegrationInput,
  parseConnectionString,
  parseServiceAccountKey,
  type ReplaceStorageCredentialsInput,
  type StorageCredentials,
} from '@/lib/schemas/storage';
import type { StorageKind, StorageSettings } from '@/lib/storage';
import type { SecretBox } from '@/server/secrets/secret-box';
import { CREDENTIALS_PURPOSE } from '@/server/storage';

type CredentialFields = CreateStorageIntegrationInput | ReplaceStorageCredentialsInput;

export interface SealedIdentity {
  credentials: StorageCredentials[StorageKind];
  /** Settings the identity brings (the S3 role ARN); merged over the row's. */
  settings: Pick<StorageSettings, 'roleArn'>;
  hint: string;
}

/** `…WXYZ`: the last four characters, enough to tell two keys apart. */
function tail(value: string): string {
  return `…${value.slice(-4)}`;
}

/** `arn:aws:iam::…:role/name`: which role, without the account id. */
function roleHint(arn: string): string {
  return arn.replace(/::\d{12}:/, '::…:');
}

function keyPairHint(accessKeyId: string): string {
  return `access key ${tail(accessKeyId)}`;
}

/** What to seal and show for the credential fields of `input`. */
export function identityOf(input: CredentialFields): SealedIdentity {
  switch (input.kind) {
    case 's3': {
      const keyPair = input.accessKeyId ? { accessKeyId: input.accessKeyId, secretAccessKey: input.secretAccessKey } : {};
      const hints = [input.accessKeyId ? keyPairHint(input.accessKeyId) : null, input.roleArn ? `role ${roleHint(input.roleArn)}` : null];
      return {
        credentials: keyPair,
        settings: { roleArn: input.roleArn || undefined },
        hint: hints.filter(Boolean).join(', assuming '),
      };
    }
    case 's3-compatible':
      return {
        credentials: { accessKeyId: input.accessKeyId, secretAccessKey: input.secretAccessKey },
        settings: {},
        hint: keyPairHint(input.accessKeyId),
      };
    case 'gcs': {
      const key = parseServiceAccountKey(input.serviceAccountKey);
      return {
        credentials: { serviceAccountKey: input.serviceAccountKey },
        settings: {},
        hint: `service account ${key?.client_email ?? 'key'}`,
      };
    }
    case 'azure-blob': {
      const settings = parseConnectionString(input.connectionString);
      const account = connectionStringAccount(settings) ?? 'unknown account';
      return {
        credentials: { connectionString: input.connectionString },
        settings: {},
        hint: `account ${account} (${settings.has('AccountKey') ? 'account key' : 'SAS'})`,
      };
    }
  }
}

export function sealCredentials(secrets: SecretBox, credentials: SealedIdentity['credentials']): string {
  return secrets.seal(JSON.stringify(credentials), CREDENTIALS_PURPOSE);
}
