/* global process */
// `RECORD_MODULES_TO=FILE node --import tsx --import ./record-loaded-modules.mjs …`: records every module the process
// loads (ESM through a load hook, CommonJS through require.cache) and, on exit, writes them and the RSS to FILE.
import { writeFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { MessageChannel } from 'node:worker_threads';

const loaded = new Set();
const { port1, port2 } = new MessageChannel();
port1.on('message', (url) => loaded.add(url));
port1.unref();
register(
  'data:text/javascript,' +
    encodeURIComponent(
      'let port; export function initialize(data) { port = data.port; }' +
        'export async function load(url, context, next) { port.postMessage(url); return next(url, context); }',
    ),
  { data: { port: port2 }, transferList: [port2] },
);
const require = createRequire(import.meta.url);
process.on('exit', () => {
  for (const file of Object.keys(require.cache)) loaded.add(file);
  writeFileSync(
    process.env.RECORD_MODULES_TO,
    JSON.stringify({ rss: process.memoryUsage().rss, modules: [...loaded] }),
  );
});
