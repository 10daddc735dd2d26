/**
 * Language ids by file extension or name. Ids are what chunks and filters carry (`language: 'typescript'`); a
 * language with a grammar in `grammar-rules.ts` is chunked by syntax, any other by headings (markdown) or lines.
 */
const BY_EXTENSION: Readonly<Record<string, string>> = {
  ts: 'typescript',
  mts: 'typescript',
  cts: 'typescript',
  tsx: 'tsx',
  js: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  jsx: 'javascript',
  py: 'python',
  pyi: 'python',
  go: 'go',
  rs: 'rust',
  java: 'java',
  c: 'c',
  h: 'c',
  cc: 'cpp',
  cpp: 'cpp',
  cxx: 'cpp',
  'c++': 'cpp',
  hh: 'cpp',
  hpp: 'cpp',
  hxx: 'cpp',
  ipp: 'cpp',
  rb: 'ruby',
  rake: 'ruby',
  gemspec: 'ruby',
  php: 'php',
  cs: 'csharp',
  sh: 'bash',
  bash: 'bash',
  zsh: 'bash',
  md: 'markdown',
  markdown: 'markdown',
  mdx: 'markdown',
  json: 'json',
  jsonc: 'json',
  json5: 'json',
  yaml: 'yaml',
  yml: 'yaml',
  toml: 'toml',
  ini: 'ini',
  cfg: 'ini',
  xml: 'xml',
  html: 'html',
  htm: 'html',
  css: 'css',
  scss: 'scss',
  less: 'less',
  sql: 'sql',
  kt: 'kotlin',
  kts: 'kotlin',
  swift: 'swift',
  scala: 'scala',
  lua: 'lua',
  dart: 'dart',
  ex: 'elixir',
  exs: 'elixir',
  erl: 'erlang',
  hs: 'haskell',
  ml: 'ocaml',
  r: 'r',
  pl: 'perl',
  pm: 'perl',
  ps1: 'powershell',
  proto: 'protobuf',
  graphql: 'graphql',
  gql: 'graphql',
  tf: 'hcl',
  hcl: 'hcl',
  vue: 'vue',
  svelte: 'svelte',
  rst: 'restructuredtext',
  adoc: 'asciidoc',
  txt: 'text',
};

const BY_FILENAME: Readonly<Record<string, string>> = {
  dockerfile: 'dockerfile',
  makefile: 'make',
  gnumakefile: 'make',
  rakefile: 'ruby',
  gemfile: 'ruby',
  '.bashrc': 'bash',
  '.bash_profile': 'bash',
  '.profile': 'bash',
  '.zshrc': 'bash',
  'cmakelists.txt': 'cmake',
};

const SHEBANG: ReadonlyArray<[RegExp, string]> = [
  [/^#!.*\b(bash|sh|zsh|dash|ksh)\b/, 'bash'],
  [/^#!.*\bpython[0-9.]*\b/, 'python'],
  [/^#!.*\bnode\b/, 'javascript'],
  [/^#!.*\bruby\b/, 'ruby'],
  [/^#!.*\bphp\b/, 'php'],
];

/**
 * The language of a file from its path, or from a shebang in `firstLine` when the name says nothing; `text` when
 * neither does.
 */
export function detectLanguage(path: string, firstLine?: string): string {
  const name = (path.split('/').pop() ?? path).toLowerCase();
  const byName = BY_FILENAME[name] ?? (name.startsWith('dockerfile.') ? 'dockerfile' : undefined);
  if (byName) return byName;
  const dot = name.lastIndexOf('.');
  const byExtension = dot > 0 ? BY_EXTENSION[name.slice(dot + 1)] : undefined;
  if (byExtension) return byExtension;
  if (firstLine?.startsWith('#!')) {
    for (const [pattern, language] of SHEBANG) if (pattern.test(firstLine)) return language;
  }
  return 'text';
}
