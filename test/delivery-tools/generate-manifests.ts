/** `npm run manifests`: writes the chart's generated files and the plain-YAML install (see delivery-manifests.ts). */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../support/delivery-tools.js';
import { DELIVERY_FILES } from './delivery-manifests.js';

for (const [file, render] of Object.entries(DELIVERY_FILES)) {
  const target = path.join(REPO_ROOT, file);
  mkdirSync(path.dirname(target), { recursive: true });
  writeFileSync(target, render());
  console.log(`wrote ${file}`);
}
