import type { Node } from 'web-tree-sitter';

/**
 * How a syntax node takes part in chunking:
 * - `container` (class, impl, module, namespace): split into its members when larger than the target size;
 * - `function` (function, method, type): kept whole up to the maximum size, beyond that split by lines;
 * - `wrapper` (export, decorators, templates): not a definition itself but names the definition it wraps.
 */
export type NodeRole = 'container' | 'function' | 'wrapper';

export interface GrammarRules {
  /** The grammar's wasm file, resolved from an npm package. */
  grammar: { package: string; file: string };
  roles: Readonly<Record<string, NodeRole>>;
  /** Node types that belong to the next sibling (doc comments, attributes, decorators). */
  leading: ReadonlySet<string>;
  /** The symbol path a definition introduces, e.g. `['Router', 'handle']`; undefined when it has no name. */
  nameOf: (node: Node) => string[] | undefined;
  /** The definition a wrapper stands for, if any. */
  unwrap?: (node: Node) => Node | null | undefined;
}

const VSCODE = '@vscode/tree-sitter-wasm';

/** `Router<T>` → `['Router']`; `web::Router`, `App\\Router`, `Web.Router` → `['web', 'Router']` etc. */
function symbolParts(text: string): string[] {
  return text
    .replace(/<[^]*>/g, '')
    .split(/::|\\|\./)
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
}

function fieldName(node: Node, field = 'name'): string[] | undefined {
  const named = node.childForFieldName(field);
  return named ? symbolParts(named.text) : undefined;
}

const COMMENTS = new Set(['comment', 'line_comment', 'block_comment']);

function withLeading(...types: string[]): ReadonlySet<string> {
  return new Set([...COMMENTS, ...types]);
}

const JS_ROLES: Record<string, NodeRole> = {
  class_declaration: 'container',
  abstract_class_declaration: 'container',
  class: 'container',
  interface_declaration: 'container',
  internal_module: 'container',
  module: 'container',
  enum_declaration: 'function',
  type_alias_declaration: 'function',
  function_declaration: 'function',
  generator_function_declaration: 'function',
  function_signature: 'function',
  method_definition: 'function',
  method_signature: 'function',
  abstract_method_signature: 'function',
  variable_declarator: 'function',
  export_statement: 'wrapper',
  lexical_declaration: 'wrapper',
  variable_declaration: 'wrapper',
};

const FUNCTION_VALUES = new Set(['arrow_function', 'function_expression', 'function', 'generator_function', 'class']);

/** `const handle = () => …` is a function definition; `const limit = 10` is not. */
function jsNameOf(node: Node): string[] | undefined {
  if (node.type === 'variable_declarator') {
    const value = node.childForFieldName('value');
    return value && FUNCTION_VALUES.has(value.type) ? fieldName(node) : undefined;
  }
  return fieldName(node);
}

function jsUnwrap(node: Node): Node | null | undefined {
  if (node.type === 'export_statement') return node.childForFieldName('declaration');
  const declarators = node.namedChildren.filter((child) => child?.type === 'variable_declarator');
  return declarators.length === 1 ? declarators[0] : undefined;
}

const javascriptLike = (file: string): GrammarRules => ({
  grammar: { package: VSCODE, file: `wasm/${file}` },
  roles: JS_ROLES,
  leading: withLeading('decorator'),
  nameOf: jsNameOf,
  unwrap: jsUnwrap,
});

/** `func (r *Router) Handle(…)` → `['Router', 'Handle']`. */
function goNameOf(node: Node): string[] | undefined {
  const name = fieldName(node);
  if (node.type !== 'method_declaration' || !name) return name;
  const receiver = node.childForFieldName('receiver')?.namedChildren[0]?.childForFieldName('type');
  const receiverType = receiver?.text.replace(/^\*/, '');
  return receiverType ? [...symbolParts(receiverType), ...name] : name;
}

/** `void Router::handle()` → `['Router', 'handle']`: the name sits at the end of a declarator chain. */
function cNameOf(node: Node): string[] | undefined {
  if (node.type !== 'function_definition') return fieldName(node);
  let declarator = node.childForFieldName('declarator');
  while (declarator?.childForFieldName('declarator')) declarator = declarator.childForFieldName('declarator');
  return declarator ? symbolParts(declarator.text) : undefined;
}

const C_ROLES: Record<string, NodeRole> = {
  function_definition: 'function',
  struct_specifier: 'function',
  union_specifier: 'function',
  enum_specifier: 'function',
  type_definition: 'function',
};

export const GRAMMAR_RULES: Readonly<Record<string, GrammarRules>> = {
  typescript: javascriptLike('tree-sitter-typescript.wasm'),
  tsx: javascriptLike('tree-sitter-tsx.wasm'),
  javascript: javascriptLike('tree-sitter-javascript.wasm'),
  python: {
    grammar: { package: VSCODE, file: 'wasm/tree-sitter-python.wasm' },
    roles: { class_definition: 'container', function_definition: 'function', decorated_definition: 'wrapper' },
    leading: withLeading(),
    nameOf: fieldName,
    unwrap: (node) => node.childForFieldName('definition'),
  },
  go: {
    grammar: { package: VSCODE, file: 'wasm/tree-sitter-go.wasm' },
    roles: {
      function_declaration: 'function',
      method_declaration: 'function',
      type_spec: 'function',
      type_declaration: 'wrapper',
    },
    leading: withLeading(),
    nameOf: goNameOf,
    unwrap: (node) => (node.namedChildren.length === 1 ? node.namedChildren[0] : undefined),
  },
  rust: {
    grammar: { package: VSCODE, file: 'wasm/tree-sitter-rust.wasm' },
    roles: {
      impl_item: 'container',
      trait_item: 'container',
      mod_item: 'container',
      function_item: 'function',
      function_signature_item: 'function',
      struct_item: 'function',
      enum_item: 'function',
      union_item: 'function',
      type_item: 'function',
      macro_definition: 'function',
    },
    leading: withLeading('attribute_item', 'inner_attribute_item'),
    nameOf: (node) => (node.type === 'impl_item' ? fieldName(node, 'type') : fieldName(node)),
  },
  java: {
    grammar: { package: VSCODE, file: 'wasm/tree-sitter-java.wasm' },
    roles: {
      class_declaration: 'container',
      interface_declaration: 'container',
      enum_declaration: 'container',
      record_declaration: 'container',
      annotation_type_declaration: 'container',
      method_declaration: 'function',
      constructor_declaration: 'function',
      compact_constructor_declaration: 'function',
    },
    leading: withLeading(),
    nameOf: fieldName,
  },
  c: {
    grammar: { package: 'tree-sitter-c', file: 'tree-sitter-c.wasm' },
    roles: C_ROLES,
    leading: withLeading(),
    nameOf: cNameOf,
  },
  cpp: {
    grammar: { package: VSCODE, file: 'wasm/tree-sitter-cpp.wasm' },
    roles: {
      ...C_ROLES,
      class_specifier: 'container',
      struct_specifier: 'container',
      namespace_definition: 'container',
      template_declaration: 'wrapper',
    },
    leading: withLeading(),
    nameOf: cNameOf,
    unwrap: (node) => node.namedChildren.at(-1),
  },
  ruby: {
    grammar: { package: VSCODE, file: 'wasm/tree-sitter-ruby.wasm' },
    roles: { class: 'container', module: 'container', method: 'function', singleton_method: 'function' },
    leading: withLeading(),
    nameOf: fieldName,
  },
  php: {
    grammar: { package: VSCODE, file: 'wasm/tree-sitter-php.wasm' },
    roles: {
      class_declaration: 'container',
      interface_declaration: 'container',
      trait_declaration: 'container',
      enum_declaration: 'container',
      function_definition: 'function',
      method_declaration: 'function',
    },
    leading: withLeading('attribute_list'),
    nameOf: fieldName,
  },
  csharp: {
    grammar: { package: VSCODE, file: 'wasm/tree-sitter-c-sharp.wasm' },
    roles: {
      namespace_declaration: 'container',
      class_declaration: 'container',
      struct_declaration: 'container',
      interface_declaration: 'container',
      record_declaration: 'container',
      enum_declaration: 'function',
      method_declaration: 'function',
      constructor_declaration: 'function',
      property_declaration: 'function',
      local_function_statement: 'function',
    },
    leading: withLeading(),
    nameOf: fieldName,
  },
  bash: {
    grammar: { package: VSCODE, file: 'wasm/tree-sitter-bash.wasm' },
    roles: { function_definition: 'function' },
    leading: withLeading(),
    nameOf: fieldName,
  },
};
