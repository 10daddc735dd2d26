import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { buildCustomResourceDefinition, specSchema, type SchemaNode } from '../../src/api/v1alpha1/myragdb.schema.js';
import {
  cronProblem,
  durationSeconds,
  myRAGDBSpecSchema,
  parseMyRAGDBSpec,
} from '../../src/api/v1alpha1/myragdb.spec.js';
import { parseQuantity } from '../../src/api/v1alpha1/quantity.js';
import { GENERATED_FILES } from '../../src/manifests/render.js';

const root = new URL('../../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');

function problem(spec: unknown): string {
  const result = parseMyRAGDBSpec(spec);
  assert.equal(result.ok, false, 'expected the spec to be rejected');
  return result.ok ? '' : result.message;
}

/** Applies the CRD's `default:` values to `value` the way the API server's structural defaulting does. */
function applySchemaDefaults(schema: SchemaNode, value: unknown): unknown {
  if (value === undefined && 'default' in schema) value = structuredClone(schema.default);
  if (value === undefined || value === null) return value;
  if (schema.type === 'object' && typeof value === 'object' && !Array.isArray(value)) {
    const properties = (schema.properties ?? {}) as Record<string, SchemaNode>;
    const result: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    for (const [key, child] of Object.entries(properties)) {
      const defaulted = applySchemaDefaults(child, result[key]);
      if (defaulted !== undefined) result[key] = defaulted;
    }
    return result;
  }
  if (schema.type === 'array' && Array.isArray(value)) {
    return value.map((item) => applySchemaDefaults(schema.items as SchemaNode, item));
  }
  return value;
}

/** Field tree of a zod schema (wrappers such as optional/default/pipe unwrapped), for comparison with the CRD. */
function zodFields(schema: unknown): unknown {
  const def = (schema as { _zod: { def: Record<string, unknown> & { type: string } } })._zod.def;
  switch (def.type) {
    case 'optional':
    case 'default':
    case 'prefault':
    case 'nullable':
      return zodFields(def.innerType);
    case 'pipe':
      return zodFields(def.in);
    case 'object':
      return Object.fromEntries(
        Object.entries(def.shape as Record<string, unknown>).map(([key, value]) => [key, zodFields(value)]),
      );
    case 'array':
      return [zodFields(def.element)];
    case 'record':
      return { '*': zodFields(def.valueType) };
    default:
      return 'scalar';
  }
}

/** The same tree from the CRD's JSON schema. */
function schemaFields(schema: SchemaNode): unknown {
  if (schema.type === 'object' && schema.properties) {
    return Object.fromEntries(
      Object.entries(schema.properties as Record<string, SchemaNode>).map(([key, value]) => [key, schemaFields(value)]),
    );
  }
  if (schema.type === 'object' && schema.additionalProperties)
    return { '*': schemaFields(schema.additionalProperties as SchemaNode) };
  if (schema.type === 'array') return [schemaFields(schema.items as SchemaNode)];
  return 'scalar';
}

describe('operator API: MyRAGDB spec', () => {
  it('the parser mirrors the CRD schema field for field', () => {
    assert.deepEqual(zodFields(myRAGDBSpecSchema), schemaFields(specSchema));
  });

  it('fills every default for an empty spec', () => {
    const result = parseMyRAGDBSpec({});
    assert.ok(result.ok);
    const { spec } = result;
    assert.equal(spec.version, '0.1.0');
    assert.equal(spec.searchGateway.replicas, 2);
    assert.equal(spec.searchGateway.service.type, 'ClusterIP');
    assert.equal(spec.indexer.replicas, 1);
    assert.equal(spec.indexer.syncInterval, '5m');
    assert.equal(spec.stores.postgres.managed?.storage.size, '10Gi');
    assert.equal(spec.stores.chroma.managed?.image, 'docker.io/chromadb/chroma:0.6.3');
    assert.equal(spec.embedding.provider, 'local');
    assert.equal(spec.deletionPolicy, 'Retain');
    assert.equal(spec.paused, false);
    assert.deepEqual(spec.repositories, []);
  });

  it('the CRD defaults and the parser defaults agree', () => {
    const serverDefaulted = applySchemaDefaults(specSchema, {});
    const parsed = parseMyRAGDBSpec({});
    assert.ok(parsed.ok);
    // What the API server stores for `spec: {}` parses to the same spec as the parser's own defaults.
    const fromServer = parseMyRAGDBSpec(serverDefaulted);
    assert.ok(fromServer.ok, fromServer.ok ? '' : fromServer.message);
    assert.deepEqual(fromServer.spec, parsed.spec);
  });

  it('accepts both samples, with the API server defaults applied or not', () => {
    for (const file of ['manifests/samples/myragdb-minimal.yaml', 'manifests/samples/myragdb-production.yaml']) {
      const sample = parse(read(file)) as { spec: unknown };
      for (const spec of [sample.spec, applySchemaDefaults(specSchema, sample.spec)]) {
        const result = parseMyRAGDBSpec(spec);
        assert.ok(result.ok, `${file}: ${result.ok ? '' : result.message}`);
      }
    }
  });

  it('rejects what the schema cannot express, naming the field', () => {
    assert.match(
      problem({ reindex: { schedule: '61 * * * *' } }),
      /spec\.reindex\.schedule: invalid cron schedule: minute must be within 0-59/,
    );
    assert.match(problem({ reindex: { schedule: '* * *' } }), /needs 5 fields/);
    assert.match(
      problem({ stores: { postgres: { external: { url: 'http://db:5432/x', secretRef: { name: 'pg' } } } } }),
      /spec\.stores\.postgres\.external\.url: must be a URL with scheme postgres or postgresql/,
    );
    assert.match(
      problem({ searchGateway: { resources: { requests: { memory: '2Gi' }, limits: { memory: '1Gi' } } } }),
      /spec\.searchGateway\.resources\.limits\.memory: limit 1Gi is below request 2Gi/,
    );
    assert.match(
      problem({
        repositories: [
          { name: 'a', git: { url: 'https://x/a.git' } },
          { name: 'a', git: { url: 'https://x/b.git' } },
        ],
      }),
      /spec\.repositories\[1\]\.name: duplicate name a/,
    );
    assert.match(problem({ repositories: [{ name: 'a', volume: { claimName: 'c', path: '../etc' } }] }), /no \.\./);
  });

  it('rejects cross-field violations the CEL rules also guard', () => {
    assert.match(problem({ repositories: [{ name: 'a' }] }), /set exactly one of git or volume/);
    assert.match(
      problem({ stores: { chroma: { managed: {}, external: { url: 'http://chroma:8000' } } } }),
      /spec\.stores\.chroma: set exactly one of managed or external/,
    );
    assert.match(
      problem({ searchGateway: { autoscaling: { minReplicas: 5, maxReplicas: 3 } } }),
      /minReplicas must not exceed maxReplicas/,
    );
    assert.match(
      problem({ embedding: { provider: 'openai-compatible' } }),
      /spec\.embedding\.endpoint: openai-compatible needs an endpoint/,
    );
    assert.match(problem({ deletionPolicy: 'Purge' }), /spec\.deletionPolicy/);
    assert.match(problem({ searchGateway: { replicas: 101 } }), /spec\.searchGateway\.replicas/);
    assert.match(problem({ unknownField: true }), /unknownField|Unrecognized/);
  });

  it('parses cron, durations and quantities', () => {
    assert.equal(cronProblem('*/15 2-4 1,15 * 1-5'), undefined);
    assert.equal(cronProblem('@daily'), undefined);
    assert.match(cronProblem('5-1 * * * *') ?? '', /reversed/);
    assert.match(cronProblem('*/0 * * * *') ?? '', /step must be positive/);
    assert.equal(durationSeconds('1h30m'), 5400);
    assert.equal(durationSeconds('45s'), 45);
    assert.equal(parseQuantity('500m'), 0.5);
    assert.equal(parseQuantity('1Gi'), 2 ** 30);
    assert.equal(parseQuantity('2e3'), 2000);
    assert.throws(() => parseQuantity('ten'), /not a Kubernetes quantity/);
  });
});

describe('operator API: generated manifests', () => {
  it('the committed CRD and RBAC files equal what the generator writes (run `npm run operator:crds`)', () => {
    for (const [path, render] of Object.entries(GENERATED_FILES)) {
      assert.equal(read(path), render(), `${path} is stale: run npm run operator:crds`);
    }
  });

  it('keeps the schema keys that client-node model serialization would drop', () => {
    const text = read('operator/config/crd/myragdb.io_myragdbs.yaml');
    for (const key of [
      'default:',
      'enum:',
      'x-kubernetes-validations:',
      'x-kubernetes-int-or-string:',
      'x-kubernetes-list-type:',
    ]) {
      assert.ok(text.includes(key), `CRD YAML lacks ${key}`);
    }
    const crd = buildCustomResourceDefinition() as {
      spec: { versions: { subresources: unknown; additionalPrinterColumns: { name: string }[] }[] };
    };
    const version = crd.spec.versions[0]!;
    assert.deepEqual(
      version.additionalPrinterColumns.map((column) => column.name),
      ['Ready', 'Phase', 'Gateway', 'Version', 'Age'],
    );
    assert.deepEqual(version.subresources, {
      status: {},
      scale: {
        specReplicasPath: '.spec.searchGateway.replicas',
        statusReplicasPath: '.status.gatewayReplicas',
        labelSelectorPath: '.status.selector',
      },
    });
  });
});
