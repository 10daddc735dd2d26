import winston from '/work/wt/quality-embed/node_modules/winston/lib/winston.js';
import { EmbedderFactory } from '/work/wt/quality-embed/services/core/src/adapters/embedder/create-embedder.ts';
import { loadConfig } from '/work/wt/quality-embed/services/core/src/config/load-config.ts';
const f = await EmbedderFactory.resolve(loadConfig({}), { logger: winston.createLogger({ silent: true }) });
const step = process.argv[2];
const indexing = await f.create('indexing'); console.log('indexing ready');
const search = await f.create('search'); console.log('search ready');
const t = performance.now(); await search.embed(['hello']); console.log('query', performance.now() - t);
if (step === 'bulk') { const r = await indexing.embed(Array.from({ length: 40 }, (_, i) => `text ${i} `.repeat(100))); console.log('bulk done', r.length); }
await indexing.close(); console.log('indexing closed');
await search.close(); console.log('search closed');
