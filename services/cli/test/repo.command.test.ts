import { strict as assert } from 'node:assert';
import { InvalidArgumentError } from 'commander';
import { buildNewRepository, parseByteSizeOption, parseSource } from '../src/commands/repo.command.js';

describe('myragdb repo add: argument parsing', () => {
  it('tells git URLs from local paths, resolving relative paths against the working directory', () => {
    assert.deepEqual(parseSource('https://example.com/acme/api.git', 'main', '/work'), {
      type: 'git',
      url: 'https://example.com/acme/api.git',
      ref: 'main',
    });
    assert.deepEqual(parseSource('git@example.com:acme/api.git', undefined, '/work'), {
      type: 'git',
      url: 'git@example.com:acme/api.git',
    });
    assert.deepEqual(parseSource('../api', undefined, '/work/here'), { type: 'local', path: '/work/api' });
    assert.throws(() => parseSource('./api', 'main', '/work'), /only apply to git sources/);
  });

  it('parses sizes with units and refuses anything else', () => {
    assert.equal(parseByteSizeOption('64kb'), 65_536);
    assert.equal(parseByteSizeOption('2mb'), 2 * 1024 * 1024);
    for (const bad of ['huge', '0', '-5', '12 parsecs'])
      assert.throws(() => parseByteSizeOption(bad), InvalidArgumentError);
  });

  it('validates the whole registration with the API schema and names every bad field', () => {
    const repository = buildNewRepository(
      'api',
      '/srv/api',
      { include: ['src/**'], exclude: [], maxFileSize: 4096 },
      '/',
    );
    assert.deepEqual(repository, {
      name: 'api',
      source: { type: 'local', path: '/srv/api' },
      include: ['src/**'],
      exclude: [],
      maxFileBytes: 4096,
    });
    assert.throws(
      () => buildNewRepository('Not Valid', 'ftp://example.com/x', { include: [''], exclude: [] }, '/'),
      (error: Error) => /name: must be 1-63/.test(error.message) && /include\.0/.test(error.message),
    );
  });

  it('takes a git token from the environment variable --token-env names, never from the command line', () => {
    const options = { include: [], exclude: [], tokenEnv: 'GIT_TOKEN', username: 'bot' };
    const repository = buildNewRepository('api', 'https://example.com/acme/api.git', options, '/', {
      GIT_TOKEN: 's3cr3t',
    });
    assert.deepEqual(repository.source, {
      type: 'git',
      url: 'https://example.com/acme/api.git',
      credentials: { token: 's3cr3t', username: 'bot' },
    });
    assert.throws(
      () => buildNewRepository('api', 'https://example.com/acme/api.git', options, '/', {}),
      /GIT_TOKEN is not set/,
    );
    assert.throws(
      () => buildNewRepository('api', 'https://x.test/a.git', { include: [], exclude: [], username: 'bot' }, '/', {}),
      /--username needs --token-env/,
    );
    assert.throws(() => buildNewRepository('api', '/srv/api', options, '/', { GIT_TOKEN: 't' }), /git sources/);
  });
});
