/** `npm run docs:config`: rewrites `.env.example` and the README configuration table from the schema. */
import { readFileSync, writeFileSync } from 'node:fs';
import { renderEnvExample, replaceConfigTable } from './config-docs.js';

const repositoryRoot = new URL('../../../../', import.meta.url);
const readmePath = new URL('README.md', repositoryRoot);
const envExamplePath = new URL('.env.example', repositoryRoot);

writeFileSync(envExamplePath, renderEnvExample());
writeFileSync(readmePath, replaceConfigTable(readFileSync(readmePath, 'utf8')));
console.log('wrote .env.example and the README configuration table');
