import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { Language, Parser } from 'web-tree-sitter';
import { InternalError } from '../../../core/src/errors.js';
import type { GrammarRules } from '../chunking/grammar-rules.js';

const require = createRequire(import.meta.url);

/** Loads tree-sitter's runtime once and each grammar's wasm the first time a file of its language shows up. */
export class GrammarLoader {
  private runtime: Promise<void> | undefined;
  private readonly languages = new Map<string, Promise<Language>>();

  load(rules: GrammarRules): Promise<Language> {
    const key = `${rules.grammar.package}/${rules.grammar.file}`;
    let language = this.languages.get(key);
    if (!language) {
      language = this.loadLanguage(rules);
      this.languages.set(key, language);
    }
    return language;
  }

  private async loadLanguage(rules: GrammarRules): Promise<Language> {
    this.runtime ??= Parser.init();
    await this.runtime;
    const key = `${rules.grammar.package}/${rules.grammar.file}`;
    try {
      return await Language.load(await readFile(require.resolve(key)));
    } catch (error) {
      this.languages.delete(key);
      throw new InternalError(`cannot load tree-sitter grammar ${key}`, { cause: error });
    }
  }
}
