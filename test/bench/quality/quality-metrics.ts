/**
 * File-level retrieval metrics of the quality benchmark, as the quality-dev set defines them: results are mapped to
 * their files, only the first occurrence of each file counts, and the distinct files are scored against graded
 * labels (2 = the answer, 1 = helpful, unlisted = 0).
 */
import { z } from 'zod';

export const LabelledQuery = z.object({
  id: z.string().min(1),
  kind: z.enum(['question', 'identifier']),
  repository: z.string().min(1),
  query: z.string().min(1),
  expected: z.array(z.string().min(1)).min(1),
  grade: z.record(z.string(), z.union([z.literal(1), z.literal(2)])),
});
export type LabelledQuery = z.infer<typeof LabelledQuery>;

export interface QueryMetrics {
  mrr10: number;
  r1: number;
  r5: number;
  r10: number;
  ndcg10: number;
}

export const METRIC_NAMES = ['mrr10', 'r1', 'r5', 'r10', 'ndcg10'] as const satisfies readonly (keyof QueryMetrics)[];

/** Files in order of their first appearance. */
export function distinctFiles(paths: readonly string[]): string[] {
  return [...new Set(paths)];
}

/** Metrics of one query's ranked distinct files (`ranked` must already be de-duplicated). */
export function scoreQuery(ranked: readonly string[], grade: Readonly<Record<string, number>>): QueryMetrics {
  const relevant = Object.keys(grade).filter((file) => grade[file] === 2);
  const recall = (k: number) => {
    const top = new Set(ranked.slice(0, k));
    return relevant.length === 0 ? 0 : relevant.filter((file) => top.has(file)).length / relevant.length;
  };
  const first = ranked.slice(0, 10).findIndex((file) => grade[file] === 2);
  const dcg = ranked.slice(0, 10).reduce((sum, file, index) => sum + (grade[file] ?? 0) / Math.log2(index + 2), 0);
  const ideal = Object.values(grade)
    .sort((a, b) => b - a)
    .slice(0, 10)
    .reduce((sum, gain, index) => sum + gain / Math.log2(index + 2), 0);
  return {
    mrr10: first < 0 ? 0 : 1 / (first + 1),
    r1: recall(1),
    r5: recall(5),
    r10: recall(10),
    ndcg10: ideal === 0 ? 0 : dcg / ideal,
  };
}

export interface ScoredQuery {
  query: LabelledQuery;
  system: string;
  metrics: QueryMetrics;
}

export interface SummaryRow extends QueryMetrics {
  kind: LabelledQuery['kind'];
  repository: string;
  system: string;
  n: number;
}

/** Mean metrics per kind, system and repository (`all` first), never pooling questions with identifiers. */
export function summarise(scored: readonly ScoredQuery[]): SummaryRow[] {
  const groups = new Map<string, { key: Omit<SummaryRow, keyof QueryMetrics | 'n'>; rows: QueryMetrics[] }>();
  const add = (kind: LabelledQuery['kind'], repository: string, system: string, metrics: QueryMetrics) => {
    const id = `${kind}\0${repository}\0${system}`;
    let group = groups.get(id);
    if (!group) groups.set(id, (group = { key: { kind, repository, system }, rows: [] }));
    group.rows.push(metrics);
  };
  for (const { query, system, metrics } of scored) {
    add(query.kind, 'all', system, metrics);
    add(query.kind, query.repository, system, metrics);
  }
  return [...groups.values()].map(({ key, rows }) => {
    const mean = (name: keyof QueryMetrics) => rows.reduce((sum, row) => sum + row[name], 0) / rows.length;
    return {
      ...key,
      n: rows.length,
      mrr10: mean('mrr10'),
      r1: mean('r1'),
      r5: mean('r5'),
      r10: mean('r10'),
      ndcg10: mean('ndcg10'),
    };
  });
}

/** A Markdown table of summary rows: per kind, `all` then each repository, systems in the given order. */
export function formatSummary(rows: readonly SummaryRow[], systems: readonly string[]): string {
  const repositories = ['all', ...new Set(rows.map((row) => row.repository).filter((name) => name !== 'all'))];
  const lines = [
    '| kind | repository | system | n | MRR@10 | R@1 | R@5 | R@10 | nDCG@10 |',
    '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const kind of ['question', 'identifier'] as const) {
    for (const repository of repositories) {
      for (const system of systems) {
        const row = rows.find((r) => r.kind === kind && r.repository === repository && r.system === system);
        if (!row) continue;
        const cells = METRIC_NAMES.map((name) => row[name].toFixed(3));
        lines.push(`| ${kind} | ${repository} | ${system} | ${row.n} | ${cells.join(' | ')} |`);
      }
    }
  }
  return lines.join('\n');
}
