/**
 * The Helm chart, offline: `helm lint --strict` and `helm template` with default, minimal and full values, every
 * rendered object validated against the Kubernetes schemas, the values schema (coverage and clear rejections), and
 * the generated files (CRD copies byte-identical to the operator's, plain manifests) not drifting from their sources.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { buildOperatorDeployment } from '../../../operator/src/manifests/operator-deployment.js';
import { renderCrdYaml } from '../../../operator/src/manifests/render.js';
import { buildPolicyRules } from '../../../operator/src/rbac/rbac.js';
import { parseMyRAGDBSpec } from '../../../operator/src/api/v1alpha1/myragdb.spec.js';
import { REPO_ROOT, deliveryToolsBinDir, runTool } from '../../support/delivery-tools.js';
import {
  CHART_DIR,
  CRD_FILE,
  DELIVERY_FILES,
  INSTALL_NAMESPACE,
  VALUE_SETS,
  helmTemplate,
} from '../../delivery-tools/delivery-manifests.js';
import { parseObjects, validateWithModels, type RenderedObject } from './rendered-objects.js';

const read = (file: string) => readFileSync(path.join(REPO_ROOT, file), 'utf8');

const LABELS = [
  'app.kubernetes.io/name',
  'app.kubernetes.io/instance',
  'app.kubernetes.io/version',
  'app.kubernetes.io/part-of',
  'app.kubernetes.io/managed-by',
];

function find(objects: RenderedObject[], kind: string, name?: string): RenderedObject {
  const found = objects.find((object) => object.kind === kind && (!name || object.metadata.name === name));
  assert.ok(found, `no ${kind}${name ? ` ${name}` : ''} among ${objects.map((o) => o.kind).join(', ')}`);
  return found;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- rendered objects are untyped YAML
type Any = any;
const operatorContainer = (objects: RenderedObject[]): Any =>
  (find(objects, 'Deployment') as Any).spec.template.spec.containers[0];

describe('Helm chart charts/myragdb', function () {
  this.timeout(120_000);
  before(function () {
    this.timeout(600_000); // first run installs the tools (about 1-2 min cold)
    deliveryToolsBinDir();
  });

  for (const [name, args] of Object.entries(VALUE_SETS)) {
    it(`helm lint --strict passes with ${name} values`, function () {
      const result = runTool('helm', ['lint', '--strict', CHART_DIR, ...args]);
      assert.equal(result.status, 0, result.stdout + result.stderr);
      assert.match(result.stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
    });

    it(`renders only schema-valid, labelled objects with ${name} values`, async function () {
      const objects = parseObjects(helmTemplate(args));
      assert.ok(objects.length >= 6, `only ${objects.length} objects rendered`);
      for (const object of objects) {
        if (object.kind === 'MyRAGDB') {
          const parsed = parseMyRAGDBSpec(object.spec);
          assert.ok(parsed.ok, `MyRAGDB spec rejected by the operator: ${parsed.ok ? '' : parsed.message}`);
        } else {
          await validateWithModels(object);
        }
        for (const label of LABELS) {
          assert.ok(object.metadata.labels?.[label], `${object.kind} ${object.metadata.name} lacks label ${label}`);
        }
      }
    });
  }

  it('default values: 2 leader-elected replicas, least-privilege ClusterRole, hardened pod, NetworkPolicy', function () {
    const objects = parseObjects(helmTemplate());
    const deployment = find(objects, 'Deployment', 'myragdb-operator') as Any;
    assert.equal(deployment.spec.replicas, 2);
    const container = operatorContainer(objects);
    assert.equal(container.image, 'ghcr.io/myragdb/myragdb:0.1.0');
    const operatorOwn = buildOperatorDeployment(INSTALL_NAMESPACE) as Any;
    assert.deepEqual(container.command, operatorOwn.spec.template.spec.containers[0].command, 'same entrypoint');
    assert.ok(container.args.includes(`--leader-election-namespace=${INSTALL_NAMESPACE}`), container.args.join(' '));
    assert.ok(!container.args.some((arg: string) => arg.startsWith('--namespace=')), 'watches all namespaces');
    assert.equal(container.securityContext.readOnlyRootFilesystem, true);
    assert.deepEqual(container.volumeMounts, [{ name: 'tmp', mountPath: '/tmp' }]);
    assert.equal(deployment.spec.template.spec.securityContext.runAsNonRoot, true);
    const role = find(objects, 'ClusterRole', 'myragdb-operator') as Any;
    assert.deepEqual(role.rules, JSON.parse(JSON.stringify(buildPolicyRules())), 'chart rules = operator rules');
    const binding = find(objects, 'ClusterRoleBinding') as Any;
    assert.deepEqual(binding.subjects, [
      { kind: 'ServiceAccount', name: 'myragdb-operator', namespace: INSTALL_NAMESPACE },
    ]);
    const service = find(objects, 'Service', 'myragdb-operator-metrics') as Any;
    assert.deepEqual(service.spec.selector, deployment.spec.selector.matchLabels);
    find(objects, 'NetworkPolicy');
    for (const kind of ['ServiceMonitor', 'PrometheusRule', 'MyRAGDB', 'ConfigMap']) {
      assert.ok(!objects.some((object) => object.kind === kind), `${kind} is off by default`);
    }
  });

  it('minimal values: one replica without election, a namespaced Role, the watched namespace passed', function () {
    const objects = parseObjects(helmTemplate(VALUE_SETS.minimal));
    const container = operatorContainer(objects);
    assert.ok(container.args.includes('--no-leader-elect'));
    assert.ok(container.args.includes(`--namespace=${INSTALL_NAMESPACE}`));
    const role = find(objects, 'Role') as Any;
    assert.equal(role.metadata.namespace, INSTALL_NAMESPACE);
    find(objects, 'RoleBinding');
    assert.ok(!objects.some((object) => object.kind.startsWith('Cluster') || object.kind === 'NetworkPolicy'));
  });

  it('full values: registry, pull secrets, scheduling, monitoring from the health assets, an instance, helm test', function () {
    const objects = parseObjects(helmTemplate(VALUE_SETS.full));
    const pod = (find(objects, 'Deployment') as Any).spec.template.spec;
    assert.equal(pod.containers[0].image, 'registry.example.com:5000/mirror/myragdb:0.1.0');
    assert.deepEqual(pod.imagePullSecrets, [{ name: 'regcred' }]);
    assert.deepEqual(pod.nodeSelector, { 'kubernetes.io/os': 'linux' });
    assert.equal(pod.tolerations[0].key, 'dedicated');
    assert.ok(pod.affinity.nodeAffinity);
    assert.equal(pod.serviceAccountName, 'myragdb-controller');
    const rule = find(objects, 'PrometheusRule') as Any;
    assert.deepEqual(rule.spec, parse(read('services/health/observability/prometheus-rules.yaml')));
    assert.equal(rule.metadata.labels.release, 'kube-prometheus-stack');
    const dashboard = find(objects, 'ConfigMap') as Any;
    assert.deepEqual(
      JSON.parse(dashboard.data['myragdb.json']),
      JSON.parse(read('services/health/observability/grafana-dashboard.json')),
    );
    assert.equal(objects.filter((object) => object.kind === 'ServiceMonitor').length, 2);
    const instance = find(objects, 'MyRAGDB', 'search') as Any;
    assert.equal(instance.spec.repositories[0].git.url, 'https://github.com/example/myragdb.git');
    const test = find(objects, 'Pod') as Any;
    assert.equal(test.metadata.annotations['helm.sh/hook'], 'test');
    assert.deepEqual(test.spec.containers[0].args, [
      `http://myragdb-operator-metrics.${INSTALL_NAMESPACE}.svc:9090/readyz`,
      `http://search-search-gateway.${INSTALL_NAMESPACE}.svc:3002/api/v1/health/ready`,
    ]);
  });

  describe('values.schema.json', function () {
    const schema = JSON.parse(read(`${CHART_DIR}/values.schema.json`));

    it('describes every key of values.yaml (free-form maps only where Kubernetes objects go)', function () {
      const resolve = (node: Any): Any => (node?.$ref ? schema.definitions[node.$ref.split('/').pop()] : node);
      const missing: string[] = [];
      const walk = (values: Any, node: Any, at: string) => {
        const resolved = resolve(node);
        if (!resolved?.properties || values === null || typeof values !== 'object' || Array.isArray(values)) return;
        for (const [key, value] of Object.entries(values)) {
          if (!(key in resolved.properties)) missing.push(`${at}${key}`);
          else walk(value, resolved.properties[key], `${at}${key}.`);
        }
      };
      walk(parse(read(`${CHART_DIR}/values.yaml`)), schema, '');
      assert.deepEqual(missing, []);
    });

    const rejections: [string, string[], RegExp][] = [
      ['an unknown key', ['--set', 'replicas=2'], /additional properties 'replicas' not allowed/],
      ['zero replicas', ['--set', 'replicaCount=0'], /\/replicaCount'?: minimum: got 0, want 1/],
      [
        'an unknown RBAC scope',
        ['--set', 'rbac.scope=world'],
        /\/rbac\/scope'?: value must be one of 'cluster', 'namespace'/,
      ],
      ['a bad pull policy', ['--set', 'image.pullPolicy=Sometimes'], /\/image\/pullPolicy/],
      [
        'a CPU request that is no quantity',
        ['--set-string', 'resources.requests.cpu=lots'],
        /\/resources\/requests\/cpu/,
      ],
      [
        'a scrape interval without unit',
        ['--set-string', 'metrics.serviceMonitor.interval=30'],
        /\/metrics\/serviceMonitor\/interval/,
      ],
      ['an instance name that is no DNS label', ['--set', 'instance.name=Bad_Name'], /\/instance\/name/],
      ['a label value that is not a string', ['--set', 'podLabels.tier=1'], /\/podLabels\/tier/],
      [
        'two replicas without leader election',
        ['--set', 'replicaCount=2', '--set', 'leaderElection.enabled=false'],
        /replicaCount > 1 needs leaderElection.enabled=true/,
      ],
    ];
    for (const [what, args, message] of rejections) {
      it(`rejects ${what} with a clear message`, function () {
        const result = runTool('helm', ['template', 'myragdb', CHART_DIR, ...args]);
        assert.notEqual(result.status, 0, `helm template accepted ${args.join(' ')}`);
        assert.match(result.stderr, message);
      });
    }
  });

  describe('generated files', function () {
    it('the chart CRD and manifests/crds are byte-identical to the CRD the operator code defines', function () {
      const crd = renderCrdYaml();
      assert.equal(read(`operator/config/crd/${CRD_FILE}`), crd, 'run `npm run operator:crds`');
      assert.equal(read(`${CHART_DIR}/crds/${CRD_FILE}`), crd, 'run `npm run manifests`');
      assert.equal(read(`manifests/crds/${CRD_FILE}`), crd, 'run `npm run manifests`');
    });

    for (const [file, render] of Object.entries(DELIVERY_FILES)) {
      it(`${file} matches its source (npm run manifests)`, function () {
        assert.ok(read(file) === render(), `${file} drifted from its source: run \`npm run manifests\` and commit`);
      });
    }
  });
});
