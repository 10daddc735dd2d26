/**
 * Okapi BM25 over the candidates of a keyword search, at two levels: each chunk as its own document, and each file
 * as the sum of its chunks. A chunk's score is its file's score plus a share of its own, so the evidence a whole
 * file gives (a question's words spread over several functions of one module) ranks its chunks, while the chunk
 * holding most of the words still leads within the file. Pure: the adapter reads the numbers, this ranks them.
 */

export interface Bm25Parameters {
  /** Term-frequency saturation. */
  k1: number;
  /** Length normalisation, 0 (none) to 1 (full). */
  b: number;
  /** How much of a chunk's own BM25 is added to its file's. */
  chunkShare: number;
}

export const DEFAULT_BM25: Bm25Parameters = { k1: 1.2, b: 0.75, chunkShare: 1 };

/** Corpus size under the search's filter. */
export interface CorpusStatistics {
  chunks: number;
  files: number;
  /** Total words of every chunk (= of every file). */
  tokens: number;
}

/** One query lexeme: in how many chunks and files it occurs, and its weight in the query. */
export interface TermStatistics {
  chunkFrequency: number;
  fileFrequency: number;
  weight: number;
}

export interface Bm25Candidate {
  id: string;
  /** Identifies the file (repository and path). */
  file: string;
  /** The chunk's length in words. */
  tokens: number;
  /** Its file's length in words. */
  fileTokens: number;
  /** Field-weighted frequency of each query term in the chunk, in term order (0 when absent). */
  frequencies: readonly number[];
}

export interface Bm25Hit {
  id: string;
  score: number;
}

/** Robertson–Spärck Jones idf with the usual +1 inside the log, so it is never negative. */
export function inverseDocumentFrequency(documents: number, frequency: number): number {
  const n = Math.min(Math.max(frequency, 0), documents);
  return Math.log(1 + (documents - n + 0.5) / (n + 0.5));
}

function saturate(frequency: number, length: number, averageLength: number, parameters: Bm25Parameters): number {
  if (frequency <= 0) return 0;
  const { k1, b } = parameters;
  const norm = 1 - b + (b * length) / Math.max(averageLength, 1);
  return (frequency * (k1 + 1)) / (frequency + k1 * norm);
}

/**
 * Candidates ranked by file BM25 + `chunkShare` × chunk BM25 (ties: id). A file's term frequency is the sum over its
 * candidate chunks; chunks that were not candidates match none of the rarer terms, so the sum misses at most
 * occurrences of the commonest terms, whose idf is small.
 */
export function rankBm25(
  candidates: readonly Bm25Candidate[],
  terms: readonly TermStatistics[],
  corpus: CorpusStatistics,
  parameters: Bm25Parameters = DEFAULT_BM25,
): Bm25Hit[] {
  const averageChunk = corpus.tokens / Math.max(corpus.chunks, 1);
  const averageFile = corpus.tokens / Math.max(corpus.files, 1);
  const chunkIdf = terms.map((term) => term.weight * inverseDocumentFrequency(corpus.chunks, term.chunkFrequency));
  const fileIdf = terms.map((term) => term.weight * inverseDocumentFrequency(corpus.files, term.fileFrequency));

  const files = new Map<string, { tokens: number; frequencies: number[] }>();
  for (const candidate of candidates) {
    let file = files.get(candidate.file);
    if (!file) files.set(candidate.file, (file = { tokens: candidate.fileTokens, frequencies: terms.map(() => 0) }));
    candidate.frequencies.forEach((frequency, index) => (file.frequencies[index]! += frequency));
  }
  const fileScores = new Map<string, number>();
  for (const [key, file] of files) {
    let score = 0;
    file.frequencies.forEach((frequency, index) => {
      score += fileIdf[index]! * saturate(frequency, file.tokens, averageFile, parameters);
    });
    fileScores.set(key, score);
  }

  return candidates
    .map((candidate) => {
      let own = 0;
      candidate.frequencies.forEach((frequency, index) => {
        own += chunkIdf[index]! * saturate(frequency, candidate.tokens, averageChunk, parameters);
      });
      return { id: candidate.id, score: fileScores.get(candidate.file)! + parameters.chunkShare * own };
    })
    .filter((hit) => hit.score > 0)
    .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * Expected number of files holding a term that `chunkFrequency` of `chunks` chunks hold, when files average
 * `chunks / files` chunks: used where only the chunk count is known (a capped or estimated count).
 */
export function estimateFileFrequency(chunkFrequency: number, corpus: CorpusStatistics): number {
  if (corpus.chunks === 0 || corpus.files === 0) return 0;
  const share = Math.min(1, chunkFrequency / corpus.chunks);
  return corpus.files * (1 - Math.pow(1 - share, corpus.chunks / corpus.files));
}

/**
 * Indexes of the query terms whose chunks become the candidates of a search (both keyword adapters): the rarest first, as many as fit under `cap` together
 * (at least one), so a common word never pulls in the whole corpus. `counts` are chunk counts; zeros are skipped.
 */
export function candidateTerms(counts: readonly number[], cap: number): number[] {
  const chosen: number[] = [];
  let rows = 0;
  const order = counts
    .map((count, index) => ({ count, index }))
    .filter((term) => term.count > 0)
    .sort((a, b) => a.count - b.count || a.index - b.index);
  for (const term of order) {
    rows += term.count;
    if (chosen.length > 0 && rows > cap) break;
    chosen.push(term.index);
  }
  return chosen;
}
