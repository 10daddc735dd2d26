/** The MyRAGDB resource as the operator reads and writes it. The spec type comes from the spec parser. */
import type { KubeObject, ObjectMeta } from '../../kube/kube-object.js';
import type {
  BackupMethod,
  ConditionStatus,
  KeywordEngine,
  MigrationResult,
  Phase,
  ReindexResult,
} from './conditions.js';

export interface Condition {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

export interface ComponentStatus {
  ready: boolean;
  replicas?: number;
  readyReplicas?: number;
  external?: boolean;
  message?: string;
}

export interface LastReindex {
  requestId?: string;
  job?: string;
  startTime?: string;
  completionTime?: string;
  result?: ReindexResult;
}

export interface BackupStatus {
  method: BackupMethod;
  lastSuccessfulTime?: string;
  lastFailureMessage?: string;
}

export interface MigrationStatus {
  version: string;
  job?: string;
  result: MigrationResult;
  message?: string;
}

/** The keyword engine searches use, and during a switch the one being filled (see keyword-engine.ts). */
export interface KeywordEngineStatus {
  serving: KeywordEngine;
  target?: KeywordEngine;
  repositories?: number;
  repositoriesMoved?: number;
}

export interface MyRAGDBStatus {
  observedGeneration?: number;
  phase?: Phase;
  conditions?: Condition[];
  components?: Record<string, ComponentStatus>;
  gatewayReplicas?: number;
  selector?: string;
  version?: string;
  endpoints?: { gateway?: string };
  lastReindex?: LastReindex;
  backup?: BackupStatus;
  migration?: MigrationStatus;
  keywordEngine?: KeywordEngineStatus;
}

export interface MyRAGDB extends KubeObject {
  metadata: ObjectMeta & { uid: string };
  /** Unparsed: whatever the API server stored. Parse with `parseMyRAGDBSpec` before use. */
  spec?: unknown;
  status?: MyRAGDBStatus;
}
