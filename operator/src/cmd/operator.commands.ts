/**
 * The operator's commands: `myragdb operator run|crds`, and `myragdb-operator` (cmd/main.ts), which is
 * `myragdb operator run` under another name, so both take exactly the same flags.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { Command, InvalidArgumentError, Option } from 'commander';
import { KubeConfig } from '@kubernetes/client-node';
import { loadConfig } from '../../../services/core/src/config/load-config.js';
import { closeLogger, createLoggerFromConfig } from '../../../services/core/src/logging.js';
import { startOperator } from '../main.js';
import { renderCrdYaml, renderRbacYaml } from '../manifests/render.js';
import { OPERATOR_NAME } from '../rbac/rbac.js';

const SERVICE_ACCOUNT_NAMESPACE_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

const positiveInteger = (name: string) => (value: string) => {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError(`${name} must be a whole number >= 1`);
  return parsed;
};
const seconds = (name: string) => (value: string) => {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0)
    throw new InvalidArgumentError(`${name} must be a positive number of seconds`);
  return parsed;
};
const address = (value: string) => {
  const match = /^(.*):(\d{1,5})$/.exec(value);
  if (!match || Number(match[2]) > 65535) throw new InvalidArgumentError('expected host:port, e.g. 0.0.0.0:8081');
  return { host: match[1] || '0.0.0.0', port: Number(match[2]) };
};

interface RunFlags {
  kubeconfig?: string;
  namespace?: string;
  workers: number;
  resync: number;
  leaderElect: boolean;
  leaderElectionNamespace?: string;
  leaderElectionId: string;
  leaseDuration: number;
  renewDeadline: number;
  retryPeriod: number;
  probeAddress: { host: string; port: number } | false;
  gatewayUrl?: string;
}

function defaultLeaseNamespace(flags: RunFlags): string {
  if (flags.leaderElectionNamespace) return flags.leaderElectionNamespace;
  if (flags.namespace) return flags.namespace;
  if (existsSync(SERVICE_ACCOUNT_NAMESPACE_FILE)) return readFileSync(SERVICE_ACCOUNT_NAMESPACE_FILE, 'utf8').trim();
  return 'default';
}

export function createOperatorRunCommand(): Command {
  return new Command('run')
    .description('Run the MyRAGDB operator (in-cluster, or against KUBECONFIG / --kubeconfig)')
    .option('--kubeconfig <path>', 'kubeconfig file (default: KUBECONFIG, ~/.kube/config, or in-cluster)')
    .option('-n, --namespace <namespace>', 'watch only this namespace (default: all namespaces)')
    .option('--workers <n>', 'concurrent reconciles', positiveInteger('--workers'), 8)
    .option('--resync <seconds>', 'full resync period', seconds('--resync'), 300)
    .option('--no-leader-elect', 'run without leader election (only ever one replica!)')
    .option('--leader-election-namespace <namespace>', 'namespace of the Lease (default: --namespace or own namespace)')
    .option('--leader-election-id <name>', 'name of the Lease', OPERATOR_NAME)
    .option('--lease-duration <seconds>', 'leader lease duration', seconds('--lease-duration'), 15)
    .option('--renew-deadline <seconds>', 'leader renew deadline', seconds('--renew-deadline'), 10)
    .option('--retry-period <seconds>', 'leader election retry period', seconds('--retry-period'), 2)
    .addOption(
      new Option('--probe-address <host:port>', 'serve /healthz, /readyz and /metrics here; "off" for none')
        .default({ host: '0.0.0.0', port: 8081 }, '0.0.0.0:8081')
        .argParser((value) => (value === 'off' ? false : address(value))),
    )
    .option(
      '--gateway-url <url>',
      'gateway base URL for data cleanup on deletion, {name}/{namespace} substituted (default: in-cluster Service)',
    )
    .action(async (flags: RunFlags) => {
      const config = loadConfig(process.env);
      const logger = createLoggerFromConfig(config, 'operator');
      const kubeConfig = new KubeConfig();
      if (flags.kubeconfig) kubeConfig.loadFromFile(flags.kubeconfig);
      else kubeConfig.loadFromDefault();
      const identity = `${os.hostname()}_${randomUUID().slice(0, 8)}`;
      const operator = await startOperator({
        kubeConfig,
        logger,
        ...(flags.namespace ? { namespace: flags.namespace } : {}),
        workers: flags.workers,
        resyncPeriodMs: flags.resync * 1000,
        instance: identity,
        ...(flags.leaderElect
          ? {
              leaderElection: {
                namespace: defaultLeaseNamespace(flags),
                name: flags.leaderElectionId,
                identity,
                leaseDurationMs: flags.leaseDuration * 1000,
                renewDeadlineMs: flags.renewDeadline * 1000,
                retryPeriodMs: flags.retryPeriod * 1000,
              },
            }
          : {}),
        ...(flags.probeAddress ? { http: flags.probeAddress } : {}),
        ...(flags.gatewayUrl
          ? {
              gatewayUrl: (resource) =>
                flags
                  .gatewayUrl!.replaceAll('{name}', resource.metadata.name)
                  .replaceAll('{namespace}', resource.metadata.namespace ?? ''),
            }
          : {}),
      });
      logger.info('operator running', {
        identity,
        probes: operator.probeUrl,
        server: kubeConfig.getCurrentCluster()?.server,
      });
      await new Promise<void>((resolve) => {
        const shutdown = (signal: string) => {
          logger.info('shutting down', { signal });
          resolve();
        };
        process.once('SIGTERM', () => shutdown('SIGTERM'));
        process.once('SIGINT', () => shutdown('SIGINT'));
      });
      await operator.stop();
      await closeLogger(logger);
    });
}

export function createCrdsCommand(): Command {
  return new Command('crds')
    .description('Print the MyRAGDB CustomResourceDefinition (YAML); with --rbac, the RBAC manifests instead')
    .option('--rbac [namespace]', 'print ServiceAccount, (Cluster)Role and bindings for this namespace')
    .action((flags: { rbac?: string | boolean }) => {
      const namespace = typeof flags.rbac === 'string' ? flags.rbac : 'myragdb-system';
      process.stdout.write(flags.rbac ? renderRbacYaml(namespace) : renderCrdYaml());
    });
}

export const OPERATOR_DESCRIPTION = 'The MyRAGDB Kubernetes operator';

export function createOperatorCommand(): Command {
  return new Command('operator')
    .description(OPERATOR_DESCRIPTION)
    .showHelpAfterError()
    .configureOutput({ outputError: (message, write) => write(message) })
    .addCommand(createOperatorRunCommand())
    .addCommand(createCrdsCommand());
}

/** `myragdb operator ARGS…`: what the CLI hands over, loaded lazily so no other CLI command's modules come along. */
export async function runOperatorCommand(args: readonly string[]): Promise<void> {
  await createOperatorCommand()
    .name('myragdb operator')
    .parseAsync([...args], { from: 'user' });
}
