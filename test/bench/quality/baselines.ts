/**
 * The two anchors every quality run is compared with, computed in the same run over the same files:
 *  - grep: ripgrep per query word, files ranked by distinct words matched, then matching lines, then path (the
 *    quality-dev set's `baseline.mjs`, same tokenizer and stop words);
 *  - BM25: textbook Okapi BM25 over whole files (path + content, camelCase-split lower-case tokens, k1 1.2, b 0.75).
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

const STOP = new Set(
  `a about above after again against all also am an and any are as at be because been before
being below between both but by can could did do does doing done down during each else even ever every few for from
further get gets getting give given go goes had has have having he her here hers him his how i if in instead into is
it its itself just let like make makes may me might more most must my no nor not now of off on once one only or other
our out over own per same say says set she should so some still such than that the their them then there these they
this those through to too under until up upon us use used uses using via want was way we were what whatever when where
whether which while who whom whose why will with within without would yet you your`.split(/\s+/),
);

/** Lower-case word tokens split on punctuation and camelCase, without stop words and 1-letter tokens. */
export function baselineTokens(text: string, options: { distinct: boolean } = { distinct: true }): string[] {
  const words = text
    .split(/[^A-Za-z0-9]+/)
    .flatMap((word) =>
      word
        .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
        .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
        .split(' '),
    )
    .map((word) => word.toLowerCase())
    .filter((word) => word.length > 1 && !STOP.has(word));
  return options.distinct ? [...new Set(words)] : words;
}

/** Ranks the files of `root` for `query` the way `baseline.mjs` does, with ripgrep. */
export class GrepBaseline {
  private readonly counts = new Map<string, Promise<Map<string, number>>>();

  constructor(private readonly root: string) {}

  async rank(query: string): Promise<string[]> {
    const score = new Map<string, { words: number; lines: number }>();
    for (const token of baselineTokens(query)) {
      for (const [file, lines] of await this.countLines(token)) {
        const entry = score.get(file) ?? { words: 0, lines: 0 };
        entry.words += 1;
        entry.lines += lines;
        score.set(file, entry);
      }
    }
    return [...score]
      .sort(([a, x], [b, y]) => y.words - x.words || y.lines - x.lines || (a < b ? -1 : a > b ? 1 : 0))
      .map(([file]) => file);
  }

  private countLines(token: string): Promise<Map<string, number>> {
    let counted = this.counts.get(token);
    if (!counted) {
      counted = run('rg', ['-c', '-i', '-F', '--no-ignore', '--hidden', '--', token, '.'], {
        cwd: this.root,
        maxBuffer: 64 << 20,
      })
        .then(({ stdout }) => stdout)
        .catch((error: { code?: unknown; stdout?: string }) => {
          if (error.code === 1) return ''; // rg exits 1 when nothing matches
          throw error;
        })
        .then((stdout) => {
          const files = new Map<string, number>();
          for (const line of stdout.split('\n')) {
            const match = /^(.*):(\d+)$/.exec(line);
            if (match) files.set(match[1]!.replace(/^\.\//, ''), Number(match[2]));
          }
          return files;
        });
      this.counts.set(token, counted);
    }
    return counted;
  }
}

/** Okapi BM25 over whole files of one repository; documents are `path + content`. */
export class FileBm25Baseline {
  private constructor(
    private readonly files: string[],
    private readonly termFrequencies: Map<string, number>[],
    private readonly lengths: number[],
    private readonly documentFrequency: Map<string, number>,
    private readonly averageLength: number,
  ) {}

  static async build(root: string, files: readonly string[]): Promise<FileBm25Baseline> {
    const termFrequencies: Map<string, number>[] = [];
    const lengths: number[] = [];
    const documentFrequency = new Map<string, number>();
    for (const file of files) {
      const tokens = baselineTokens(`${file}\n${await readFile(`${root}/${file}`, 'utf8')}`, { distinct: false });
      const frequencies = new Map<string, number>();
      for (const token of tokens) frequencies.set(token, (frequencies.get(token) ?? 0) + 1);
      for (const token of frequencies.keys()) documentFrequency.set(token, (documentFrequency.get(token) ?? 0) + 1);
      termFrequencies.push(frequencies);
      lengths.push(tokens.length);
    }
    const averageLength = lengths.reduce((sum, length) => sum + length, 0) / Math.max(1, lengths.length);
    return new FileBm25Baseline([...files], termFrequencies, lengths, documentFrequency, averageLength);
  }

  rank(query: string, k1 = 1.2, b = 0.75): string[] {
    const total = this.files.length;
    const terms = baselineTokens(query);
    const scored = this.files.map((file, index) => {
      let score = 0;
      for (const term of terms) {
        const tf = this.termFrequencies[index]!.get(term) ?? 0;
        if (tf === 0) continue;
        const df = this.documentFrequency.get(term) ?? 0;
        const idf = Math.log(1 + (total - df + 0.5) / (df + 0.5));
        score += (idf * tf * (k1 + 1)) / (tf + k1 * (1 - b + (b * this.lengths[index]!) / this.averageLength));
      }
      return { file, score };
    });
    return scored
      .filter((entry) => entry.score > 0)
      .sort((x, y) => y.score - x.score || (x.file < y.file ? -1 : 1))
      .map((entry) => entry.file);
  }
}
