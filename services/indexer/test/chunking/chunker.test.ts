import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createChunker, SYNTAX_LANGUAGES } from '../../src/chunking/chunker.js';
import type { Chunk } from '../../../core/src/domain/chunk.js';
import { ValidationError } from '../../../core/src/errors.js';
import { contentHash } from '../../../core/src/domain/chunk-id.js';

const fixture = (name: string): string =>
  readFileSync(fileURLToPath(new URL(`fixtures/${name}.txt`, import.meta.url)), 'utf8');

/** Small budgets so the short samples split the way a real file splits at the default 1,200 characters. */
const small = createChunker({ targetChars: 100, maxChars: 160, overlapLines: 1 });

type Expected = [startLine: number, endLine: number, symbol: string | undefined];

const layout = (chunks: Chunk[]): Expected[] => chunks.map((chunk) => [chunk.startLine, chunk.endLine, chunk.symbol]);

/** Every chunk is exactly its lines of the file, hashed; every non-blank line is in some chunk. */
function assertFaithful(content: string, chunks: Chunk[]): void {
  const lines = content.split('\n');
  const covered = new Set<number>();
  for (const chunk of chunks) {
    assert.equal(chunk.content, lines.slice(chunk.startLine - 1, chunk.endLine).join('\n'), `chunk ${chunk.startLine}`);
    assert.equal(chunk.contentHash, contentHash(chunk.content));
    for (let line = chunk.startLine; line <= chunk.endLine; line++) covered.add(line);
  }
  lines.forEach((line, index) => {
    if (line.trim()) assert.ok(covered.has(index + 1), `line ${index + 1} is in no chunk: ${line}`);
  });
}

describe('createChunker', () => {
  const cases: Array<{ file: string; path: string; language: string; expected: Expected[] }> = [
    {
      file: 'router.ts',
      path: 'src/router.ts',
      language: 'typescript',
      expected: [
        [1, 1, undefined],
        [3, 5, 'Router'],
        [7, 7, 'Router.constructor'],
        [9, 10, 'Router.handle'],
        [10, 11, 'Router.handle'],
        [11, 14, 'Router.handle'],
        [16, 18, 'Handler'],
        [20, 20, 'notFound'],
        [22, 24, 'parseQuery'],
      ],
    },
    {
      file: 'widget.tsx',
      path: 'web/widget.tsx',
      language: 'tsx',
      expected: [
        [1, 1, undefined],
        [3, 5, 'Widget'],
        [7, 11, 'Panel'],
      ],
    },
    {
      file: 'server.js',
      path: 'server.js',
      language: 'javascript',
      expected: [
        [1, 6, 'Server.constructor'],
        [8, 11, 'Server.listen'],
        [13, 17, 'start'],
      ],
    },
    {
      file: 'store.py',
      path: 'pkg/store.py',
      language: 'python',
      expected: [
        [1, 5, 'Store'],
        [7, 8, 'Store.__init__'],
        [10, 12, 'Store.size'],
        [14, 16, 'Store.load'],
        [19, 20, 'parse_query'],
      ],
    },
    {
      file: 'router.go',
      path: 'router/router.go',
      language: 'go',
      expected: [
        [1, 3, undefined],
        [5, 8, 'Router'],
        [10, 14, 'Router.Handle'],
        [16, 18, 'NewRouter'],
      ],
    },
    {
      file: 'router.rs',
      path: 'src/router.rs',
      language: 'rust',
      expected: [
        [1, 5, 'Router'],
        [7, 10, 'Router.new'],
        [12, 15, 'Router.handle'],
        [17, 21, 'Method'],
        [23, 25, 'parse_method'],
      ],
    },
    {
      file: 'Router.java',
      path: 'src/main/java/example/Router.java',
      language: 'java',
      expected: [
        [1, 4, undefined],
        [6, 7, 'Router'],
        [9, 10, 'Router.Router'],
        [12, 15, 'Router.toString'],
        [17, 20, 'Router.handle'],
      ],
    },
    {
      file: 'buffer.c',
      path: 'src/buffer.c',
      language: 'c',
      expected: [
        [1, 6, 'buffer'],
        [8, 13, 'buffer_new'],
        [15, 18, 'buffer_free'],
      ],
    },
    {
      file: 'router.cpp',
      path: 'src/router.cpp',
      language: 'cpp',
      expected: [
        [1, 1, undefined],
        [3, 8, 'web.Router'],
        [10, 12, 'web.Router.handle'],
        [14, 19, 'web.identity'],
      ],
    },
    {
      file: 'router.rb',
      path: 'lib/web/router.rb',
      language: 'ruby',
      expected: [
        [1, 7, 'Web.Router.initialize'],
        [9, 11, 'Web.Router.handle'],
        [13, 17, 'Web.Router.build'],
      ],
    },
    {
      file: 'Router.php',
      path: 'src/Router.php',
      language: 'php',
      expected: [
        [1, 7, 'Router'],
        [9, 13, 'Router.handle'],
        [15, 19, 'parse_query'],
      ],
    },
    {
      file: 'Router.cs',
      path: 'src/Router.cs',
      language: 'csharp',
      expected: [
        [1, 1, undefined],
        [3, 7, 'Web.Router'],
        [9, 14, 'Web.Router.Handle'],
      ],
    },
    {
      file: 'deploy.sh',
      path: 'scripts/deploy.sh',
      language: 'bash',
      expected: [
        [1, 6, 'build_image'],
        [8, 13, 'push_image'],
      ],
    },
  ];

  for (const { file, path, language, expected } of cases) {
    it(`splits ${language} into definitions with line ranges and symbols (${file})`, async () => {
      const content = fixture(file);
      const chunks = await small.chunk({ repository: 'demo', path, content });
      assert.deepEqual(layout(chunks), expected);
      assert.ok(chunks.every((chunk) => chunk.language === language && chunk.path === path));
      assertFaithful(content, chunks);
    });
  }

  it('has a grammar for every language the issue names', () => {
    const required = ['typescript', 'tsx', 'javascript', 'python', 'go', 'rust', 'java', 'c', 'cpp', 'ruby', 'php'];
    for (const language of [...required, 'csharp', 'bash']) assert.ok(SYNTAX_LANGUAGES.includes(language), language);
  });

  it('keeps a small file whole at the default budget', async () => {
    const chunker = createChunker();
    assert.deepEqual(chunker.options, { targetChars: 1200, maxChars: 2000, overlapLines: 2 });
    const content = fixture('router.go');
    const chunks = await chunker.chunk({ repository: 'demo', path: 'router.go', content });
    assert.equal(chunks.length, 1);
    assert.equal(chunks[0]!.content, content.trimEnd());
    assert.deepEqual(layout(chunks), [[1, 18, undefined]]);
  });

  it('splits a function larger than the maximum into overlapping line windows within the target', async () => {
    const body = Array.from({ length: 60 }, (_, index) => `  total += compute(${index}, "${'x'.repeat(20)}");`);
    const content = ['function sumAll() {', '  let total = 0;', ...body, '  return total;', '}', ''].join('\n');
    const chunker = createChunker({ targetChars: 400, maxChars: 800, overlapLines: 2 });
    const chunks = await chunker.chunk({ repository: 'demo', path: 'sum.js', content });
    assert.ok(chunks.length >= 5, `only ${chunks.length} chunks`);
    assert.ok(chunks.every((chunk) => chunk.symbol === 'sumAll'));
    assert.ok(chunks.every((chunk) => chunk.content.length <= 400));
    for (let index = 1; index < chunks.length; index++) {
      assert.equal(chunks[index]!.startLine, chunks[index - 1]!.endLine - 1, 'two lines of overlap');
    }
    assert.equal(chunks[0]!.startLine, 1);
    assert.equal(chunks.at(-1)!.endLine, 64);
    assertFaithful(content, chunks);
  });

  it('splits a large class into its methods and merges small neighbours up to the target', async () => {
    const method = (name: string) => [`  ${name}() {`, `    return this.${name}Value * 2 + 1;`, '  }', ''];
    const content = ['class Metrics {', ...['alpha', 'beta', 'gamma', 'delta'].flatMap(method), '}', ''].join('\n');
    const chunker = createChunker({ targetChars: 120, maxChars: 200 });
    const chunks = await chunker.chunk({ repository: 'demo', path: 'metrics.ts', content });
    assert.deepEqual(layout(chunks), [
      [1, 8, 'Metrics'],
      [10, 18, 'Metrics'],
    ]);
    assertFaithful(content, chunks);
  });

  it('splits markdown at headings (not at # inside a code fence), named by the heading trail', async () => {
    const content = fixture('guide.md');
    const chunks = await small.chunk({ repository: 'demo', path: 'docs/guide.md', content });
    assert.deepEqual(layout(chunks), [
      [1, 3, 'Guide'],
      [5, 12, 'Guide > Install'],
      [14, 18, 'Guide > Install > Linux'],
      [20, 23, 'Setext heading below'],
    ]);
    assert.ok(chunks.every((chunk) => chunk.language === 'markdown'));
    assertFaithful(content, chunks);
  });

  it('splits JSON, YAML and unknown text into line windows', async () => {
    const json = JSON.stringify(
      { items: Array.from({ length: 40 }, (_, id) => ({ id, name: `item-${id}` })) },
      null,
      2,
    );
    const chunks = await small.chunk({ repository: 'demo', path: 'data/items.json', content: json });
    assert.ok(chunks.length > 10);
    assert.ok(chunks.every((chunk) => chunk.language === 'json' && chunk.symbol === undefined));
    assert.ok(chunks.every((chunk) => chunk.content.length <= 100));
    assertFaithful(json, chunks);

    const yaml = Array.from({ length: 30 }, (_, index) => `key${index}: value ${index}`).join('\n');
    const yamlChunks = await small.chunk({ repository: 'demo', path: 'config.yml', content: yaml });
    assert.ok(yamlChunks.length > 3 && yamlChunks.every((chunk) => chunk.language === 'yaml'));

    const text = await small.chunk({ repository: 'demo', path: 'NOTES', content: 'just some notes\n' });
    assert.deepEqual(
      text.map((chunk) => [chunk.language, chunk.content]),
      [['text', 'just some notes']],
    );
  });

  it('cuts an overlong (minified) line into slices no larger than the maximum', async () => {
    const line = `var data="${'abcdefghij'.repeat(50)}";`;
    const content = `const a = 1;\n${line}\nfunction after() { return a; }\n`;
    const chunks = await small.chunk({ repository: 'demo', path: 'bundle.js', content });
    const slices = chunks.filter((chunk) => chunk.startLine === 2);
    assert.equal(slices.map((chunk) => chunk.content).join(''), line);
    assert.ok(slices.every((chunk) => chunk.content.length <= 160 && chunk.endLine === 2));
    assert.equal(chunks.at(-1)!.symbol, 'after');
  });

  it('returns nothing for an empty or blank file', async () => {
    assert.deepEqual(await small.chunk({ repository: 'demo', path: 'a.ts', content: '' }), []);
    assert.deepEqual(await small.chunk({ repository: 'demo', path: 'a.ts', content: '\n  \n\t\n' }), []);
  });

  it('still chunks a file with syntax errors', async () => {
    const content = 'function broken( {\n  return 1;\n}\n\nfunction fine() {\n  return 2;\n}\n';
    const chunks = await small.chunk({ repository: 'demo', path: 'broken.ts', content });
    assert.ok(chunks.length > 0);
    assertFaithful(content, chunks);
  });

  it('takes the language from a shebang or an override when the name says nothing', async () => {
    const content = fixture('deploy.sh');
    const [bySheBang] = await small.chunk({ repository: 'demo', path: 'bin/deploy', content });
    assert.equal(bySheBang!.language, 'bash');
    const [byOverride] = await small.chunk({
      repository: 'demo',
      path: 'x',
      content: 'def f():\n  pass\n',
      language: 'python',
    });
    assert.deepEqual([byOverride!.language, byOverride!.symbol], ['python', 'f']);
  });

  describe('chunk ids', () => {
    const content = fixture('router.ts');

    it('are deterministic and scoped to repository and path', async () => {
      const first = await small.chunk({ repository: 'demo', path: 'src/router.ts', content });
      const again = await createChunker({ targetChars: 100, maxChars: 160, overlapLines: 1 }).chunk({
        repository: 'demo',
        path: 'src/router.ts',
        content,
      });
      assert.deepEqual(
        again.map((chunk) => chunk.id),
        first.map((chunk) => chunk.id),
      );
      const otherRepository = await small.chunk({ repository: 'other', path: 'src/router.ts', content });
      const otherPath = await small.chunk({ repository: 'demo', path: 'lib/router.ts', content });
      const ids = new Set([...first, ...otherRepository, ...otherPath].map((chunk) => chunk.id));
      assert.equal(ids.size, first.length * 3);
      assert.ok(first.every((chunk) => /^[0-9a-f]{32}$/.test(chunk.id)));
    });

    it('stay the same for unchanged chunks when the file changes elsewhere', async () => {
      const before = await small.chunk({ repository: 'demo', path: 'src/router.ts', content });
      const edited = content.replace("import { parse } from './parser.js';", "import { parse } from './query.js';\n\n");
      const after = await small.chunk({ repository: 'demo', path: 'src/router.ts', content: edited });
      const unchanged = before.filter((chunk) => chunk.startLine > 1);
      const afterByHash = new Map(after.map((chunk) => [chunk.contentHash, chunk.id]));
      assert.ok(unchanged.length > 5);
      for (const chunk of unchanged) assert.equal(afterByHash.get(chunk.contentHash), chunk.id);
      assert.notEqual(after[0]!.id, before[0]!.id);
    });

    it('differ for identical content repeated in one file', async () => {
      const block = 'function same() {\n  return 1;\n}\n';
      const chunks = await createChunker({ targetChars: 100, maxChars: 100 }).chunk({
        repository: 'demo',
        path: 'dup.js',
        content: `${block}\n${'// '.padEnd(120, '-')}\n\n${block}`,
      });
      const same = chunks.filter((chunk) => chunk.content === block.trimEnd());
      assert.equal(same.length, 2);
      assert.notEqual(same[0]!.id, same[1]!.id);
    });
  });

  it('rejects invalid options with a ValidationError', () => {
    assert.throws(() => createChunker({ targetChars: 2000, maxChars: 1000 }), ValidationError);
    assert.throws(() => createChunker({ targetChars: 10 }), ValidationError);
    assert.throws(() => createChunker({ overlapLines: -1 }), ValidationError);
  });
});
