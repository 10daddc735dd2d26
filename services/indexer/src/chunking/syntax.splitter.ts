import type { Node, Tree } from 'web-tree-sitter';
import type { ChunkingOptions } from './chunking-options.js';
import type { GrammarRules, NodeRole } from './grammar-rules.js';
import { lineWindows, type Segment, type SourceLines } from './segments.js';

interface Definition {
  role: Exclude<NodeRole, 'wrapper'>;
  name: string[];
}

/**
 * Segments of a parsed file: definitions that fit stay whole; containers larger than the target are split into
 * their members; functions larger than the maximum, and leaves, are split by lines with overlap. Every row is
 * covered once (except window overlap), in order.
 */
export function syntaxSegments(
  tree: Tree,
  source: SourceLines,
  rules: GrammarRules,
  options: ChunkingOptions,
): Segment[] {
  const segments: Segment[] = [];
  // Next row not yet covered: two nodes can share a row, and a row belongs to the first segment that reaches it.
  let cursor = 0;

  // Definitions already named by the wrapper around them (`export class Router`): their name is in the path.
  const namedByWrapper = new Set<number>();

  const definitionOf = (node: Node): Definition | undefined => {
    if (namedByWrapper.has(node.id)) return undefined;
    const role = rules.roles[node.type];
    if (role === 'wrapper') {
      const inner = rules.unwrap?.(node);
      const definition = inner && inner.id !== node.id ? definitionOf(inner) : undefined;
      if (inner && definition) namedByWrapper.add(inner.id);
      return definition;
    }
    if (!role) return undefined;
    const name = rules.nameOf(node);
    return name && name.length > 0 ? { role, name } : undefined;
  };

  const emit = (segment: Segment): void => {
    segments.push(segment);
    cursor = Math.max(cursor, segment.endRow + 1);
  };

  /**
   * `split` forces a node with children apart: the root, and the body of a split container (`class_body`,
   * `declaration_list`), whose members are what the container splits into.
   */
  const visit = (node: Node, path: readonly string[], split: boolean): void => {
    const endRow = lastRow(node);
    if (endRow < cursor) return;
    const startRow = Math.max(node.startPosition.row, cursor);
    const definition = definitionOf(node);
    const ownPath = definition ? [...path, ...definition.name] : path;
    const size = source.size(startRow, endRow);
    const limit = definition?.role === 'container' ? options.targetChars : options.maxChars;
    const forced = split && !definition && node.childCount > 0;
    if (!forced && size <= limit) {
      emit({ startRow, endRow, path: ownPath, leading: rules.leading.has(node.type) });
      return;
    }
    if (!forced && (definition?.role === 'function' || node.childCount === 0)) {
      for (const window of lineWindows(source, startRow, endRow, ownPath, options)) emit(window);
      return;
    }
    const first = segments.length;
    const splitBody = definition?.role === 'container';
    for (const child of node.children) if (child) visit(child, ownPath, splitBody);
    if (definition) markHeader(first);
  };

  /**
   * A split definition's header (`export class Router {`, a lone `{`, `public:`) introduces its first member rather
   * than ending what came before.
   */
  const markHeader = (first: number): void => {
    const small = options.targetChars / 4;
    for (let index = first; index < segments.length - 1; index++) {
      const segment = segments[index]!;
      if (index > first && source.size(segment.startRow, segment.endRow) >= small) return;
      segment.leading = true;
    }
  };

  visit(tree.rootNode, [], true);
  return segments;
}

/** A node ending at column 0 ends with the previous line's newline: that next row is not part of it. */
function lastRow(node: Node): number {
  const { row, column } = node.endPosition;
  return column === 0 && row > node.startPosition.row ? row - 1 : row;
}
