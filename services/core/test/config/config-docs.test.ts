import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  README_CONFIG_END,
  README_CONFIG_START,
  renderConfigTable,
  renderEnvExample,
  replaceConfigTable,
} from '../../src/config/config-docs.js';
import { CONFIG_VARIABLE_NAMES, variableMeta } from '../../src/config/config.schema.js';
import { loadConfig } from '../../src/config/load-config.js';

const root = new URL('../../../../', import.meta.url);
const FIX = 'run `npm run docs:config` and commit the result';

describe('configuration docs', () => {
  it('.env.example matches the schema', () => {
    assert.equal(readFileSync(new URL('.env.example', root), 'utf8'), renderEnvExample(), FIX);
  });

  it("the README's configuration table matches the schema", () => {
    const readme = readFileSync(new URL('README.md', root), 'utf8');
    assert.equal(replaceConfigTable(readme), readme, FIX);
  });

  it('documents every variable once, with its description', () => {
    const example = renderEnvExample();
    const table = renderConfigTable();
    for (const name of CONFIG_VARIABLE_NAMES) {
      assert.equal(example.match(new RegExp(`^(# )?${name}=`, 'gm'))?.length, 1, `${name} in .env.example`);
      assert.equal(table.match(new RegExp(`^\\| \`${name}\` \\|`, 'gm'))?.length, 1, `${name} in README`);
      assert.ok(table.includes(variableMeta(name).description.replace(/\|/g, '\\|')));
    }
  });

  it('documents defaults that the schema really applies', () => {
    const defaults = loadConfig({});
    const reparsed = loadConfig(
      Object.fromEntries(
        CONFIG_VARIABLE_NAMES.flatMap((name) => {
          const documented = variableMeta(name).default;
          return documented === undefined ? [] : [[name, documented]];
        }),
      ),
    );
    assert.deepEqual(reparsed, defaults);
  });

  it('an uncommented .env.example loads (examples are valid values)', () => {
    const env = Object.fromEntries(
      renderEnvExample()
        .split('\n')
        .map((line) => line.replace(/^# (?=[A-Z_]+=)/, ''))
        .filter((line) => /^[A-Z_]+=/.test(line))
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    assert.doesNotThrow(() => loadConfig({ ...env, KEYWORD_ENGINE: 'postgres' }));
  });

  it('refuses to rewrite a README without markers', () => {
    assert.throws(() => replaceConfigTable('# no markers'), /needs the markers/);
    const rewritten = replaceConfigTable(`a\n${README_CONFIG_START}\nold\n${README_CONFIG_END}\nb`, '| t |');
    assert.equal(rewritten, `a\n${README_CONFIG_START}\n| t |\n${README_CONFIG_END}\nb`);
  });
});
