/** Helpers shared by the delivery suites: parse rendered manifests and validate them against Kubernetes models. */
import { parseAllDocuments } from 'yaml';

export interface RenderedObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}

/** Every non-empty document of a multi-document YAML stream; a YAML error fails loudly. */
export function parseObjects(text: string): RenderedObject[] {
  return parseAllDocuments(text)
    .map((document) => {
      if (document.errors.length > 0) throw new Error(`invalid YAML: ${document.errors[0]!.message}`);
      return document.toJS() as RenderedObject | null;
    })
    .filter((object): object is RenderedObject => object !== null);
}

/** Module of kubernetes-models (or the Prometheus Operator models) that defines an apiVersion. */
function modelModule(apiVersion: string): string {
  if (apiVersion.startsWith('monitoring.coreos.com/')) return `@kubernetes-models/prometheus-operator/${apiVersion}`;
  return `kubernetes-models/${apiVersion}`;
}

type Model = new (data: unknown) => { validate(): void };

/**
 * Validates an object against the OpenAPI schema of its kind (kubernetes-models). Throws for an unknown kind and for
 * an invalid object, naming the object. The models do not flag unknown fields: the server-side dry-run does.
 */
export async function validateWithModels(object: RenderedObject): Promise<void> {
  const where = `${object.kind} ${object.metadata.name}`;
  const module = (await import(modelModule(object.apiVersion)).catch(() => ({}))) as Record<string, Model | undefined>;
  const model = module[object.kind];
  if (!model) throw new Error(`${where}: no Kubernetes model for ${object.apiVersion} ${object.kind}`);
  try {
    new model(object).validate();
  } catch (error) {
    throw new Error(`${where} is invalid: ${String(error)}`, { cause: error });
  }
}
