import assert from 'node:assert/strict';
import { detectLanguage } from '../../src/chunking/language-detection.js';

describe('detectLanguage', () => {
  const cases: Array<[string, string]> = [
    ['src/app.ts', 'typescript'],
    ['src/app.mts', 'typescript'],
    ['web/App.tsx', 'tsx'],
    ['index.mjs', 'javascript'],
    ['pkg/mod.py', 'python'],
    ['main.go', 'go'],
    ['lib.rs', 'rust'],
    ['A.java', 'java'],
    ['x.h', 'c'],
    ['x.hpp', 'cpp'],
    ['Gemfile', 'ruby'],
    ['index.php', 'php'],
    ['Program.cs', 'csharp'],
    ['scripts/run.sh', 'bash'],
    ['README.md', 'markdown'],
    ['docs/INTRO.MD', 'markdown'],
    ['package.json', 'json'],
    ['.github/ci.yml', 'yaml'],
    ['Dockerfile', 'dockerfile'],
    ['Dockerfile.prod', 'dockerfile'],
    ['Makefile', 'make'],
    ['LICENSE', 'text'],
    ['.env', 'text'],
    ['archive.unknownext', 'text'],
  ];
  for (const [path, language] of cases) {
    it(`${path} → ${language}`, () => assert.equal(detectLanguage(path), language));
  }

  it('reads a shebang when the name has no known extension', () => {
    assert.equal(detectLanguage('bin/deploy', '#!/usr/bin/env bash'), 'bash');
    assert.equal(detectLanguage('bin/tool', '#!/usr/bin/python3'), 'python');
    assert.equal(detectLanguage('bin/cli', '#!/usr/bin/env node'), 'javascript');
    assert.equal(detectLanguage('bin/cli', 'no shebang'), 'text');
    assert.equal(detectLanguage('src/app.ts', '#!/usr/bin/env bash'), 'typescript', 'the extension wins');
  });
});
