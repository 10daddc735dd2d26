/**
 * A strict reader of the Prometheus text exposition format (0.0.4) into flat samples. Hand-written because the
 * one npm parser (parse-prometheus-text-format 1.1.1) merges every series of a labelled histogram into one and
 * drops their labels, sums and counts, which is exactly what latency and error-rate math needs.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export class MetricsFormatError extends Error {
  constructor(lineNumber: number, line: string, reason: string) {
    super(`metrics line ${lineNumber}: ${reason}: ${line.slice(0, 200)}`);
    this.name = 'MetricsFormatError';
  }
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const ESCAPES: Record<string, string> = { '\\': '\\', '"': '"', n: '\n' };

/** Values as Prometheus reads them (Go's ParseFloat): NaN and Inf in any case, e.g. prom-client's `Nan`. */
function parseValue(text: string): number | undefined {
  const lower = text.toLowerCase();
  if (lower === 'nan') return Number.NaN;
  if (['inf', '+inf', 'infinity', '+infinity'].includes(lower)) return Number.POSITIVE_INFINITY;
  if (['-inf', '-infinity'].includes(lower)) return Number.NEGATIVE_INFINITY;
  return /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text) ? Number(text) : undefined;
}

function parseLine(line: string, lineNumber: number): Sample {
  const fail = (reason: string): never => {
    throw new MetricsFormatError(lineNumber, line, reason);
  };
  const name = NAME.exec(line)?.[0] ?? fail('expected a metric name');
  let position = name.length;
  const labels: Record<string, string> = {};

  if (line[position] === '{') {
    position += 1;
    while (line[position] !== '}') {
      const labelName = LABEL_NAME.exec(line.slice(position))?.[0] ?? fail('expected a label name');
      position += labelName.length;
      if (line[position] !== '=' || line[position + 1] !== '"') fail(`expected ="…" after ${labelName}`);
      position += 2;
      let value = '';
      while (line[position] !== '"') {
        const char = line[position] ?? fail('unterminated label value');
        if (char === '\\') {
          const escaped = ESCAPES[line[position + 1] ?? ''] ?? fail('bad escape in label value');
          value += escaped;
          position += 2;
        } else {
          value += char;
          position += 1;
        }
      }
      labels[labelName] = value;
      position += 1;
      if (line[position] === ',') position += 1;
      else if (line[position] !== '}') fail('expected , or } after a label');
    }
    position += 1;
  }

  const [valueText, timestamp, ...rest] = line.slice(position).trim().split(/\s+/);
  if (
    valueText === undefined ||
    valueText === '' ||
    rest.length > 0 ||
    (timestamp !== undefined && !/^-?\d+$/.test(timestamp))
  ) {
    fail('expected a value and an optional integer timestamp');
  }
  const value = parseValue(valueText!) ?? fail(`bad value ${valueText}`);
  return { name, labels, value };
}

export function parsePrometheusText(text: string): Sample[] {
  const samples: Sample[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    samples.push(parseLine(line, index + 1));
  });
  return samples;
}
