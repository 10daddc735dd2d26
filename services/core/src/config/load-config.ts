/**
 * Parses the environment once, at start, into a frozen typed config. Pure: the caller passes `env`.
 * Every problem is reported in one ConfigError; secret values are never echoed.
 */
import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import { REDACTED, redactText } from '../redaction.js';
import { CONFIG_VARIABLE_NAMES, type ConfigVariableName, configSchema, variableMeta } from './config.schema.js';
import { weakSecretReason } from './secret-strength.js';

type ParsedConfig = z.output<typeof configSchema>;
export type LogFormat = 'json' | 'pretty';
export type KeywordEngine = NonNullable<ParsedConfig['KEYWORD_ENGINE']>;
export type AppConfig = Readonly<
  Omit<ParsedConfig, 'LOG_FORMAT' | 'KEYWORD_ENGINE'> & { LOG_FORMAT: LogFormat; KEYWORD_ENGINE: KeywordEngine }
>;
export type Environment = AppConfig['ENVIRONMENT'];

export interface ConfigProblem {
  variable: ConfigVariableName;
  message: string;
}

type RawConfig = Partial<Record<ConfigVariableName, string>>;

const MAX_ECHOED_VALUE_LENGTH = 80;

export function loadConfig(env: Readonly<Record<string, string | undefined>>): AppConfig {
  const raw = normalize(env);
  const parsed = configSchema.safeParse(raw);
  const problems: ConfigProblem[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const variable = issue.path[0] as ConfigVariableName;
      problems.push({ variable, message: withEchoedValue(variable, issue.message, raw[variable]) });
    }
  }
  problems.push(...policyProblems(raw));
  if (problems.length > 0 || !parsed.success) throw configError(problems);
  const data = parsed.data;
  return deepFreeze({
    ...data,
    LOG_FORMAT: data.LOG_FORMAT ?? (data.ENVIRONMENT === 'production' ? 'json' : 'pretty'),
    // A Meilisearch endpoint is only given to be used, as DATABASE_URL and CHROMA_URL are.
    KEYWORD_ENGINE: data.KEYWORD_ENGINE ?? (data.MEILI_URL ? 'meilisearch' : 'postgres'),
  });
}

/**
 * `MYRAGDB_*` variables the schema does not know: most likely typos (MYRAGDB_APIKEY), which would otherwise be
 * ignored without a word. Other names are left alone; the environment holds plenty that is not ours.
 */
export function unknownProductVariables(env: Readonly<Record<string, string | undefined>>): string[] {
  const known = new Set<string>(CONFIG_VARIABLE_NAMES);
  return Object.keys(env)
    .filter((name) => name.startsWith('MYRAGDB_') && !known.has(name))
    .sort();
}

/** Only known variables; blank values count as unset, as a `FOO=` line in a .env file means. */
function normalize(env: Readonly<Record<string, string | undefined>>): RawConfig {
  const raw: RawConfig = {};
  for (const name of CONFIG_VARIABLE_NAMES) {
    const value = env[name];
    if (value !== undefined && value.trim() !== '') raw[name] = value;
  }
  return raw;
}

/** Rules across variables and per environment, checked on the raw values so they report alongside parse errors. */
function policyProblems(raw: RawConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const production = raw.ENVIRONMENT?.trim() === 'production';

  if ((raw.KEYWORD_ENGINE?.trim() ?? '') === 'meilisearch' && raw.MEILI_URL === undefined) {
    problems.push({ variable: 'MEILI_URL', message: 'required when KEYWORD_ENGINE=meilisearch' });
  }
  const provider = raw.EMBEDDING_PROVIDER?.trim();
  if (provider === 'openai-compatible' && raw.EMBEDDING_ENDPOINT === undefined) {
    problems.push({ variable: 'EMBEDDING_ENDPOINT', message: 'required when EMBEDDING_PROVIDER=openai-compatible' });
  }
  if (provider === 'onnx' && raw.EMBEDDING_MODEL === undefined) {
    problems.push({ variable: 'EMBEDDING_MODEL', message: 'required when EMBEDDING_PROVIDER=onnx (model directory)' });
  }

  if (!production) return problems;
  for (const name of ['SECRET_KEY', 'AUTH_ENCRYPTION_KEY'] as const) {
    const value = raw[name];
    if (value === undefined) {
      problems.push({ variable: name, message: 'required in production (e.g. `openssl rand -base64 48`)' });
      continue;
    }
    const weakness = weakSecretReason(value);
    if (weakness) problems.push({ variable: name, message: `too weak for production: ${weakness}` });
  }
  if (raw.SECRET_KEY !== undefined && raw.SECRET_KEY === raw.AUTH_ENCRYPTION_KEY) {
    problems.push({ variable: 'AUTH_ENCRYPTION_KEY', message: 'must differ from SECRET_KEY in production' });
  }
  if (raw.MYRAGDB_API_KEY !== undefined) {
    const weakness = weakSecretReason(raw.MYRAGDB_API_KEY);
    if (weakness) problems.push({ variable: 'MYRAGDB_API_KEY', message: `too weak for production: ${weakness}` });
  }
  if (raw.CORS_ORIGINS?.split(',').some((entry) => entry.trim() === '*')) {
    problems.push({ variable: 'CORS_ORIGINS', message: 'wildcard `*` is not allowed in production; list the origins' });
  }
  if (raw.DEBUG !== undefined && configSchema.shape.DEBUG.safeParse(raw.DEBUG).data === true)
    problems.push({ variable: 'DEBUG', message: 'must be false in production' });
  return problems;
}

function withEchoedValue(variable: ConfigVariableName, message: string, value: string | undefined): string {
  if (value === undefined || variableMeta(variable).secret) return message;
  const shown = value.length > MAX_ECHOED_VALUE_LENGTH ? `${value.slice(0, MAX_ECHOED_VALUE_LENGTH)}…` : value;
  return `${message} (got ${JSON.stringify(redactText(shown))})`;
}

function configError(problems: ConfigProblem[]): ConfigError {
  const order = (problem: ConfigProblem) => CONFIG_VARIABLE_NAMES.indexOf(problem.variable);
  const sorted = [...problems].sort((a, b) => order(a) - order(b));
  const noun = sorted.length === 1 ? 'problem' : 'problems';
  const lines = sorted.map((problem) => `  - ${problem.variable}: ${problem.message}`);
  return new ConfigError(`Invalid configuration (${sorted.length} ${noun}):\n${lines.join('\n')}`, {
    details: { problems: sorted },
  });
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const entry of Object.values(value)) deepFreeze(entry);
  }
  return value;
}

/**
 * One line per variable, safe to print: secrets show as set/unset only, URLs lose their credentials.
 * Used by `myragdb config check` and by services logging their effective config at start.
 */
export function describeConfig(config: AppConfig): Array<{ variable: ConfigVariableName; value: string }> {
  return CONFIG_VARIABLE_NAMES.map((variable) => {
    const value = config[variable];
    if (value === undefined) return { variable, value: '(unset)' };
    if (variableMeta(variable).secret) {
      const shown = variable === 'DATABASE_URL' ? redactText(String(value)).replace(/\?.*$/, '') : REDACTED;
      return { variable, value: shown };
    }
    return { variable, value: Array.isArray(value) ? value.join(',') : String(value) };
  });
}
