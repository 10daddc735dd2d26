export * from './config.schema.js';
export * from './load-config.js';
export * from './config-docs.js';
export { weakSecretReason } from './secret-strength.js';
