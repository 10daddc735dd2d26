import cliProgress from 'cli-progress';
import type { DownloadProgress } from './model-fetch.js';

/** A progress bar on `stream` when it is a terminal; nothing otherwise (logs say when a download starts and ends). */
export function terminalDownloadProgress(
  label: string,
  stream: NodeJS.WriteStream = process.stderr,
): DownloadProgress | undefined {
  if (!stream.isTTY) return undefined;
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: `${label} [{bar}] {percentage}% | {megabytes} MB`,
      hideCursor: true,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  const megabytes = (bytes: number) => (bytes / 1_048_576).toFixed(1);
  let received = 0;
  return {
    start: (totalBytes) => bar.start(totalBytes, 0, { megabytes: megabytes(0) }),
    advance: (bytes) => {
      received += bytes;
      bar.update(received, { megabytes: megabytes(received) });
    },
    stop: () => bar.stop(),
  };
}
