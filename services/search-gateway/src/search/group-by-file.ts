/**
 * Collapses ranked results to the best one per file (`groupByFile`): the first occurrence of each
 * repository + path wins, later chunks of the same file are dropped, order is kept.
 */
export function keepBestPerFile<T extends { repository: string; path: string }>(ranked: readonly T[]): T[] {
  const seen = new Set<string>();
  return ranked.filter((result) => {
    const file = `${result.repository}\u0000${result.path}`;
    if (seen.has(file)) return false;
    seen.add(file);
    return true;
  });
}
