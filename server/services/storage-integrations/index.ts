export {
  createStorageIntegration,
  deleteStorageIntegration,
  getStorageIntegration,
  listStorageIntegrations,
  loadStorageIntegrationRow,
  replaceStorageCredentials,
  updateStorageIntegration,
  type StorageIntegration,
  type StorageIntegrationDetails,
  type StorageIntegrationSummary,
  type StorageIntegrationView,
} from './integrations';
export { testStorageConnection } from './test-connection';
