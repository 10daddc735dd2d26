/**
 * Offline fusion tuning: re-ranks the legs a `quality.bench.ts` run dumped (`legs.json`) with the gateway's own pure
 * ranking functions under a grid of settings, and prints the file-level metrics of each, best first. No store, no
 * model: a grid of hundreds of settings takes seconds.
 *
 * Usage: tsx test/bench/quality/fusion-lab.ts LEGS_JSON [--corpus-root DIR] [--top N]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type FusedHit, rankSingleLeg } from '../../../services/search-gateway/src/search/reciprocal-rank-fusion.js';
import {
  classifyQuery,
  definesIdentifier,
  fuseHybrid,
  type HybridFusionOptions,
} from '../../../services/search-gateway/src/search/hybrid-ranking.js';
import {
  promoteDefinitions,
  queryIdentifier,
  symbolNames,
} from '../../../services/search-gateway/src/search/definition-boost.js';
import { DEFAULT_SEARCH_SETTINGS } from '../../../services/search-gateway/src/services/search.service.js';
import { distinctFiles, type ScoredQuery, scoreQuery, summarise } from './quality-metrics.js';
import type { LegDump, LegHit } from './quality.bench.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'corpus-root': { type: 'string' },
    top: { type: 'string', default: '15' },
    misses: { type: 'string' },
  },
});
const dumps = JSON.parse(readFileSync(positionals[0]!, 'utf8')) as LegDump[];
const corpusRoot = values['corpus-root'] ?? process.env.QUALITY_DEV_CACHE ?? '';
const folders: Record<string, string> = {
  undici: 'package/lib',
  mongoose: 'package/lib',
  luxon: 'package/src',
  fastify: 'package',
};

const fileLines = new Map<string, string[]>();
function contentOf(repository: string, hit: LegHit): string {
  const key = `${repository}/${hit.path}`;
  let lines = fileLines.get(key);
  if (!lines) {
    lines = readFileSync(join(corpusRoot, 'corpus', repository, folders[repository]!, hit.path), 'utf8').split('\n');
    fileLines.set(key, lines);
  }
  return lines.slice(hit.startLine - 1, hit.endLine).join('\n');
}

type Variant = HybridFusionOptions & { depth: number; promote: boolean };

function rank(dump: LegDump, variant: Variant | 'keyword' | 'semantic'): string[] {
  const hits = new Map<string, LegHit>();
  const legs: Record<'keyword' | 'semantic', { id: string; score: number }[]> = { keyword: [], semantic: [] };
  for (const leg of ['keyword', 'semantic'] as const) {
    const depth = typeof variant === 'string' ? 100 : variant.depth;
    for (const hit of dump.legs[leg].slice(0, depth)) {
      const id = `${hit.path}:${hit.startLine}`;
      hits.set(id, hit);
      legs[leg].push({ id, score: hit.score });
    }
  }
  const kind = classifyQuery(dump.query.query);
  let fused: FusedHit[] =
    typeof variant === 'string'
      ? rankSingleLeg(variant, legs[variant])
      : fuseHybrid(legs, (id) => hits.get(id)?.path, kind, variant);
  const identifier = queryIdentifier(dump.query.query);
  if (identifier && (typeof variant === 'string' || variant.promote)) {
    fused = promoteDefinitions(fused, (hit) => {
      const chunk = hits.get(hit.id)!;
      return (
        symbolNames(chunk.symbol, identifier) || definesIdentifier(contentOf(dump.query.repository, chunk), identifier)
      );
    });
  }
  return distinctFiles(fused.map((hit) => hits.get(hit.id)!.path));
}

function evaluate(name: string, variant: Variant | 'keyword' | 'semantic') {
  const scored: ScoredQuery[] = dumps.map((dump) => ({
    query: dump.query,
    system: name,
    metrics: scoreQuery(rank(dump, variant), dump.query.grade),
  }));
  const rows = summarise(scored);
  const get = (kind: string, repository = 'all') =>
    rows.find((row) => row.kind === kind && row.repository === repository)!;
  return { name, question: get('question'), identifier: get('identifier'), rows };
}

const results = [evaluate('keyword', 'keyword'), evaluate('semantic', 'semantic')];
for (const k of [5, 10, 20, 30, 60])
  for (const fileWeight of [0, 0.5, 1, 2, 4])
    for (const semantic of [0.5, 0.75, 1, 1.5])
      for (const idKeyword of [1, 2])
        for (const depth of [50, 100]) {
          const variant: Variant = {
            k,
            weights: { keyword: 1, semantic },
            identifierWeights: { keyword: idKeyword, semantic: 1 },
            fileWeight,
            depth,
            promote: true,
          };
          results.push(evaluate(`k=${k} file=${fileWeight} sem=${semantic} idkw=${idKeyword} depth=${depth}`, variant));
        }
const fmt = (x: number) => x.toFixed(3);
const line = (r: (typeof results)[number]) =>
  `${r.name.padEnd(44)} Q mrr ${fmt(r.question.mrr10)} r5 ${fmt(r.question.r5)} ndcg ${fmt(r.question.ndcg10)} | I r1 ${fmt(r.identifier.r1)} mrr ${fmt(r.identifier.mrr10)} | per-repo Q mrr ${['undici', 'mongoose', 'luxon', 'fastify'].map((repo) => fmt(r.rows.find((row) => row.kind === 'question' && row.repository === repo)!.mrr10)).join(' ')}`;
console.log(line(results[0]!));
console.log(line(results[1]!));
for (const r of results
  .slice(2)
  .sort((a, b) => b.question.mrr10 - a.question.mrr10)
  .slice(0, Number(values.top)))
  console.log(line(r));

// --misses KIND: the queries the default settings miss at rank 1 (hybrid and keyword), with the files ranked instead.
if (values.misses) {
  const defaults: Variant = {
    ...DEFAULT_SEARCH_SETTINGS.fusion,
    depth: DEFAULT_SEARCH_SETTINGS.candidateDepth,
    promote: true,
  };
  for (const dump of dumps.filter((d) => d.query.kind === values.misses)) {
    for (const [name, variant] of [
      ['hybrid', defaults],
      ['keyword', 'keyword'],
    ] as const) {
      const files = rank(dump, variant);
      if (dump.query.grade[files[0] ?? ''] !== 2)
        console.log(
          `${name.padEnd(8)} ${dump.query.id} "${dump.query.query}" want ${dump.query.expected.join(',')} got ${files.slice(0, 3).join(', ')}`,
        );
    }
  }
}
