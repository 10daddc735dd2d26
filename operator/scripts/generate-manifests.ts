/** Writes the CRD and RBAC manifests generated from operator/src (`npm run operator:crds`). */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { GENERATED_FILES, renderCrdYaml } from '../src/manifests/render.js';

const root = new URL('../../', import.meta.url);
for (const [path, render] of Object.entries(GENERATED_FILES)) {
  writeFileSync(fileURLToPath(new URL(path, root)), render());
  console.log(`wrote ${path}`);
}

// The Helm chart and the plain manifests ship byte-identical copies of the CRD (`npm run manifests` writes them too;
// test/integration/delivery fails when they drift), so a CRD change refreshes them here as well.
for (const path of ['charts/myragdb/crds/myragdb.io_myragdbs.yaml', 'manifests/crds/myragdb.io_myragdbs.yaml']) {
  writeFileSync(fileURLToPath(new URL(path, root)), renderCrdYaml());
  console.log(`wrote ${path}`);
}
