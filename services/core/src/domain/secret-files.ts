/**
 * Files that hold credentials are never indexed, searched or served, whatever the repository's ignore files say:
 * a `.env` committed by mistake must not become searchable by everybody with a search key. Two checks, both pure:
 * by path (gitignore-style patterns: the built-in list plus `MYRAGDB_SECRET_FILE_PATTERNS`, where `!pattern`
 * re-allows a built-in one) and by content (private-key blocks and cloud service-account keys under any name).
 */
import ignore from 'ignore';

/** The built-in list, documented in the README ("Security and reliability"). */
export const DEFAULT_SECRET_FILE_PATTERNS: readonly string[] = [
  // dotenv files; the documented templates stay searchable
  '.env',
  '.env.*',
  '*.env',
  '.envrc',
  '!.env.example',
  '!.env.sample',
  '!.env.template',
  '!.env.dist',
  '!.env.defaults',
  // SSH and TLS private keys, keystores
  'id_rsa',
  'id_dsa',
  'id_ecdsa',
  'id_ed25519',
  'id_ecdsa_sk',
  'id_ed25519_sk',
  '*.pem',
  '*.key',
  '*.p12',
  '*.pfx',
  '*.jks',
  '*.keystore',
  '*.ppk',
  '*.gpg',
  // package manager and tool credentials
  '.npmrc',
  '.yarnrc.yml',
  '.pypirc',
  '.netrc',
  '_netrc',
  '.git-credentials',
  '.htpasswd',
  '.pgpass',
  '.my.cnf',
  '.dockercfg',
  '**/.docker/config.json',
  '**/.kube/config',
  'kubeconfig',
  '*.kubeconfig',
  // cloud credentials
  '**/.aws/credentials',
  '**/.aws/config',
  'credentials.json',
  'application_default_credentials.json',
  'service-account*.json',
  '*service-account.json',
  '*service_account*.json',
  'client_secret*.json',
  '.boto',
  '.s3cfg',
  '.azure/',
  '.gcloud/',
  '**/.config/gcloud/',
  'secrets.yml',
  'secrets.yaml',
  '*.tfstate',
  '*.tfstate.backup',
  '*.tfvars',
];

/** A compiled policy: decides by repository-relative POSIX path. */
export interface SecretFilePolicy {
  isSecretPath(path: string): boolean;
}

/** The built-in patterns followed by `extra` (later rules win, so `!*.pem` re-allows PEM files). */
export function createSecretFilePolicy(extra: readonly string[] = []): SecretFilePolicy {
  const rules = ignore().add([...DEFAULT_SECRET_FILE_PATTERNS, ...extra]);
  return {
    // `ignore` tests the parent directories too, so a file inside `.azure/` is a secret as well.
    isSecretPath: (path) => path.length > 0 && rules.ignores(path),
  };
}

export const DEFAULT_SECRET_FILE_POLICY = createSecretFilePolicy();

const PRIVATE_KEY_BLOCK = /-----BEGIN ((RSA|DSA|EC|OPENSSH|ENCRYPTED|PGP) )?PRIVATE KEY( BLOCK)?-----/;
const SERVICE_ACCOUNT_TYPE = /"type"\s*:\s*"service_account"/;

/** Content that is a credential whatever the file is called: a private-key block or a service-account key. */
export function looksLikeSecret(content: string): boolean {
  return PRIVATE_KEY_BLOCK.test(content) || (content.includes('"private_key"') && SERVICE_ACCOUNT_TYPE.test(content));
}
