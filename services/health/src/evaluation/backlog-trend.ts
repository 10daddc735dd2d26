/**
 * Backlog history for the "indexing backlog growing" alert, pure. The growth is the backlog now minus the backlog
 * at the oldest sample still inside the window, so a queue that drains slower than it fills shows a positive
 * growth even when it wobbles in between.
 */
export interface BacklogSample {
  at: number;
  backlog: number;
}

export function recordBacklog(
  history: readonly BacklogSample[],
  sample: BacklogSample,
  windowMs: number,
): BacklogSample[] {
  return [...history, sample].filter((entry) => sample.at - entry.at <= windowMs);
}

export function backlogGrowth(history: readonly BacklogSample[]): number | null {
  const first = history[0];
  const last = history.at(-1);
  if (first === undefined || last === undefined || first === last) return null;
  return last.backlog - first.backlog;
}
