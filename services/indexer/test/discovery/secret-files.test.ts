import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { discoverFiles } from '../../src/discovery/discover-files.js';
import { readSourceFile } from '../../src/discovery/read-source-file.js';
import { createSecretFilePolicy, looksLikeSecret } from '../../../core/src/domain/secret-files.js';
import { SkipReason } from '../../src/discovery/skip-reason.js';

const PRIVATE_KEY =
  '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n';
const SERVICE_ACCOUNT = JSON.stringify({ type: 'service_account', project_id: 'p', private_key: 'k' });

describe('secret files', () => {
  describe('createSecretFilePolicy', () => {
    const policy = createSecretFilePolicy();

    it('treats dotenv files, private keys, tool and cloud credentials as secrets at any depth', () => {
      for (const path of [
        '.env',
        'config/.env.production',
        'id_ed25519',
        'home/.ssh/id_rsa',
        '.npmrc',
        'deploy/.aws/credentials',
        'keys/service-account.json',
        'tls/server.pem',
        '.azure/accessTokens.json',
        'infra/prod.tfvars',
      ]) {
        assert.equal(policy.isSecretPath(path), true, path);
      }
    });

    it('leaves source, docs and documented dotenv templates alone', () => {
      for (const path of [
        '.env.example',
        'src/env.ts',
        'README.md',
        'docs/keys.md',
        'package.json',
        'environment.py',
      ]) {
        assert.equal(policy.isSecretPath(path), false, path);
      }
    });

    it('takes extra patterns from the configuration, and `!pattern` re-allows a built-in one', () => {
      const custom = createSecretFilePolicy(['*.secret', '!*.pem']);
      assert.equal(custom.isSecretPath('config/db.secret'), true);
      assert.equal(custom.isSecretPath('certs/ca.pem'), false);
      assert.equal(custom.isSecretPath('.env'), true);
    });
  });

  describe('looksLikeSecret', () => {
    it('recognises private-key blocks and service-account keys whatever the file is called', () => {
      assert.equal(looksLikeSecret(`notes\n${PRIVATE_KEY}`), true);
      assert.equal(looksLikeSecret('-----BEGIN RSA PRIVATE KEY-----\nMIIE\n'), true);
      assert.equal(looksLikeSecret(SERVICE_ACCOUNT), true);
    });

    it('does not flag public keys or code that mentions keys', () => {
      assert.equal(looksLikeSecret('-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n'), false);
      assert.equal(looksLikeSecret('const privateKey = loadKey(process.env.KEY_PATH);\n'), false);
      assert.equal(looksLikeSecret('{"type": "service_account"}'), false);
    });
  });

  describe('discovery and reading', () => {
    let root: string;
    const write = async (path: string, content: string) => {
      await mkdir(dirname(join(root, path)), { recursive: true });
      await writeFile(join(root, path), content);
    };

    before(async () => {
      root = await mkdtemp(join(tmpdir(), 'myragdb-secrets-'));
      await write('src/app.ts', 'export const app = 1;\n');
      await write('.env', 'DATABASE_PASSWORD=hunter2\n');
      await write('.env.example', 'DATABASE_PASSWORD=\n');
      await write('id_ed25519', PRIVATE_KEY);
      await write('.npmrc', '//registry.npmjs.org/:_authToken=npm_abc\n');
      await write('.aws/credentials', '[default]\naws_secret_access_key=abc\n');
      await write('deploy/gcp.json', SERVICE_ACCOUNT);
      await write('notes/key.txt', PRIVATE_KEY);
    });
    after(() => rm(root, { recursive: true, force: true }));

    it('skips secret files by name with the reason "secret", without any ignore file', async () => {
      const discovery = await discoverFiles(root, { include: [], exclude: [], maxFileBytes: 65_536 });
      const skipped = Object.fromEntries(discovery.skipped.map(({ path, reason }) => [path, reason]));
      assert.deepEqual([...discovery.files.keys()], ['.env.example', 'deploy/gcp.json', 'notes/key.txt', 'src/app.ts']);
      assert.equal(skipped['.env'], SkipReason.SECRET);
      assert.equal(skipped['id_ed25519'], SkipReason.SECRET);
      assert.equal(skipped['.npmrc'], SkipReason.SECRET);
      assert.equal(skipped['.aws/credentials'], SkipReason.SECRET);
    });

    it('honours a configured policy', async () => {
      const discovery = await discoverFiles(root, {
        include: [],
        exclude: [],
        maxFileBytes: 65_536,
        secretFiles: createSecretFilePolicy(['src/']),
      });
      assert.equal(discovery.files.has('src/app.ts'), false);
      assert.ok(discovery.skipped.some(({ path, reason }) => path === 'src/' && reason === SkipReason.SECRET));
    });

    it('skips credentials by content when read (a service-account key or private key under any name)', async () => {
      assert.deepEqual(await readSourceFile(root, 'deploy/gcp.json', 65_536), {
        kind: 'skipped',
        reason: SkipReason.SECRET,
      });
      assert.deepEqual(await readSourceFile(root, 'notes/key.txt', 65_536), {
        kind: 'skipped',
        reason: SkipReason.SECRET,
      });
      assert.equal((await readSourceFile(root, 'src/app.ts', 65_536)).kind, 'text');
    });
  });
});
