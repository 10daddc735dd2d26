/**
 * Syntax highlighting for the file view, loaded only when a file is opened (it is most of the UI's weight):
 * highlight.js's core with the languages the indexer recognises.
 */
import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import c from 'highlight.js/lib/languages/c';
import cpp from 'highlight.js/lib/languages/cpp';
import csharp from 'highlight.js/lib/languages/csharp';
import css from 'highlight.js/lib/languages/css';
import go from 'highlight.js/lib/languages/go';
import java from 'highlight.js/lib/languages/java';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import kotlin from 'highlight.js/lib/languages/kotlin';
import markdown from 'highlight.js/lib/languages/markdown';
import php from 'highlight.js/lib/languages/php';
import python from 'highlight.js/lib/languages/python';
import ruby from 'highlight.js/lib/languages/ruby';
import rust from 'highlight.js/lib/languages/rust';
import scala from 'highlight.js/lib/languages/scala';
import sql from 'highlight.js/lib/languages/sql';
import swift from 'highlight.js/lib/languages/swift';
import typescript from 'highlight.js/lib/languages/typescript';
import xml from 'highlight.js/lib/languages/xml';
import yaml from 'highlight.js/lib/languages/yaml';

const LANGUAGES = {
  bash,
  c,
  cpp,
  csharp,
  css,
  go,
  java,
  javascript,
  json,
  kotlin,
  markdown,
  php,
  python,
  ruby,
  rust,
  scala,
  sql,
  swift,
  typescript,
  xml,
  yaml,
};
for (const [name, language] of Object.entries(LANGUAGES)) hljs.registerLanguage(name, language);
/** The indexer's language ids that highlight.js names differently. */
const ALIASES: Record<string, string> = {
  tsx: 'typescript',
  jsx: 'javascript',
  shell: 'bash',
  html: 'xml',
  c_sharp: 'csharp',
};

/**
 * The file as highlighted HTML, one string per line. highlight.js escapes the source; spans that cross a line
 * break are closed at its end and reopened on the next line, so every line stands alone.
 */
export function highlightLines(
  content: string,
  language: string | undefined,
  path: string,
): { lines: string[]; language: string | undefined } {
  // The search result's language when the link carries it, else the file extension (highlight.js knows `ts`, `py`...).
  const name = language ? (ALIASES[language] ?? language) : /\.(\w+)$/.exec(path)?.[1];
  const known = name ? hljs.getLanguage(name) : undefined;
  const html =
    name && known ? hljs.highlight(content, { language: name, ignoreIllegals: true }).value : escapeHtml(content);
  const lines: string[] = [];
  const open: string[] = [];
  for (const line of html.split('\n')) {
    const prefix = open.join('');
    for (const tag of line.match(/<span[^>]*>|<\/span>/g) ?? []) {
      if (tag === '</span>') open.pop();
      else open.push(tag);
    }
    lines.push(prefix + line + '</span>'.repeat(open.length));
  }
  return { lines, language: language ?? known?.name?.toLowerCase() };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
