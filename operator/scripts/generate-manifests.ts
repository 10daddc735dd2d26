/** Writes the CRD and RBAC manifests generated from operator/src (`npm run operator:crds`). */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { GENERATED_FILES } from '../src/manifests/render.js';

const root = new URL('../../', import.meta.url);
for (const [path, render] of Object.entries(GENERATED_FILES)) {
  writeFileSync(fileURLToPath(new URL(path, root)), render());
  console.log(`wrote ${path}`);
}
