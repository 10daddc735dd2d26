/**
 * The HTTP server and its graceful shutdown: on SIGTERM/SIGINT stop accepting, let in-flight requests finish for
 * up to `shutdownTimeoutMs`, cut what remains, then run the registered closers (pools, stores, loggers) in reverse
 * order of registration. Hand-written on Node's own `closeIdleConnections`/`closeAllConnections` (Node >= 18.2),
 * which now cover what http-terminator/stoppable were used for.
 */
import { type RequestListener, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../logging.js';

export interface Closer {
  name: string;
  close: () => unknown;
}

export interface StartServerOptions {
  app: RequestListener;
  port: number;
  host?: string;
  logger: Logger;
  shutdownTimeoutMs: number;
  closers?: Closer[];
  /** Signals that trigger shutdown; pass [] when a parent (e.g. `myragdb up`) orchestrates several servers. */
  signals?: readonly NodeJS.Signals[];
}

export interface RunningServer {
  server: Server;
  port: number;
  url: string;
  /** Registers something to close after the server has drained. */
  onShutdown(closer: Closer): void;
  /** Idempotent: every call returns the same promise. */
  shutdown(reason?: string): Promise<void>;
  /** Settles when shutdown has finished. */
  readonly closed: Promise<void>;
}

export function createHttpServer(app: RequestListener): Server {
  const server = createServer(app);
  // Longer than typical load-balancer idle timeouts (60 s) so the proxy, not us, closes idle keep-alive sockets.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  return server;
}

export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const { logger, shutdownTimeoutMs } = options;
  const server = createHttpServer(options.app);
  const closers = [...(options.closers ?? [])];
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  let shuttingDown = false;

  // Keep-alive sockets that finish a request during shutdown are closed right away instead of lingering.
  server.on('request', (_req, res) => {
    res.once('finish', () => {
      if (shuttingDown) setImmediate(() => server.closeIdleConnections());
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${options.host && options.host !== '0.0.0.0' ? options.host : '127.0.0.1'}:${port}`;
  logger.info('listening', { url });

  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
  let shutdownPromise: Promise<void> | undefined;

  const drain = () =>
    new Promise<void>((resolve) => {
      const forceTimer = setTimeout(() => {
        logger.warn('shutdown timeout reached; closing remaining connections', { timeout_ms: shutdownTimeoutMs });
        server.closeAllConnections();
      }, shutdownTimeoutMs);
      server.close(() => {
        clearTimeout(forceTimer);
        resolve();
      });
      server.closeIdleConnections();
    });

  const shutdown = (reason = 'requested'): Promise<void> => {
    shutdownPromise ??= (async () => {
      shuttingDown = true;
      for (const [signal, handler] of signalHandlers) process.off(signal, handler);
      logger.info('shutting down', { reason, timeout_ms: shutdownTimeoutMs });
      await drain();
      for (const closer of closers.reverse()) {
        try {
          await closer.close();
          logger.debug('closed', { closer: closer.name });
        } catch (error) {
          logger.error('closer failed during shutdown', { closer: closer.name, error });
        }
      }
      logger.info('shutdown complete');
      resolveClosed();
    })();
    return shutdownPromise;
  };

  const signalHandlers = signals.map((signal) => [signal, () => void shutdown(signal)] as const);
  for (const [signal, handler] of signalHandlers) process.once(signal, handler);

  return {
    server,
    port,
    url,
    onShutdown: (closer) => closers.push(closer),
    shutdown,
    closed,
  };
}
