/**
 * The desired state of one MyRAGDB: every child object, in the order they are applied (credentials and config
 * before the workloads that read them, stores before services). A pure function of the spec and observed facts.
 */
import type { KubeObject } from '../kube/kube-object.js';
import type { BuildContext } from './build-context.js';
import { buildLogicalBackup } from './backup.specs.js';
import { buildCloudNativePG } from './cloudnative-pg.specs.js';
import { buildConfigMaps } from './config.specs.js';
import { buildMigrationJob } from './migration.specs.js';
import { buildNetworkPolicies } from './network-policy.specs.js';
import { buildReindexCronJob, buildReindexJob } from './reindex.specs.js';
import { buildAutoscaler, buildDisruptionBudgets } from './scaling.specs.js';
import { buildSecrets } from './secrets.specs.js';
import { buildIngress, buildServiceWorkloads } from './services.specs.js';
import { buildRedis } from './redis.specs.js';
import { buildStores } from './stores.specs.js';

export function buildDesiredState(context: BuildContext): KubeObject[] {
  return [
    ...buildSecrets(context),
    ...buildConfigMaps(context),
    ...buildCloudNativePG(context),
    ...buildStores(context),
    ...buildRedis(context),
    ...buildLogicalBackup(context),
    ...buildNetworkPolicies(context),
    ...buildMigrationJob(context),
    ...buildServiceWorkloads(context),
    ...buildAutoscaler(context),
    ...buildDisruptionBudgets(context),
    ...buildIngress(context),
    ...buildReindexCronJob(context),
    ...buildReindexJob(context),
  ];
}
