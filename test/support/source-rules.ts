/**
 * Reads the TypeScript sources of src/ with the compiler's parser (no type-checking, no build) for
 * test/architecture.test.ts: every import between files (static `import` and `export ... from`,
 * type-only ones too, dynamic `import()` and `import('...').Type`), the circles they make, and
 * every function's and file's length with the comment that may justify it. docs/architecture.md
 * states the rules these serve.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, posix, relative, sep } from 'node:path';
import ts from 'typescript';

/** A source file, by its path under src/ with forward slashes ("app/report/report.ts"). */
export interface Source {
  readonly path: string;
  readonly text: string;
}

export interface ImportEdge {
  readonly from: string;
  /** The imported file, under src/ like `from`. */
  readonly to: string;
  readonly line: number;
  readonly kind: 'static' | 'type' | 'dynamic';
}

export interface Length {
  readonly path: string;
  /** The function's name (`Class.method`, `<anonymous>` when it has none), or null for the whole file. */
  readonly name: string | null;
  readonly line: number;
  readonly lines: number;
  /** A comment above it (or, for a file, at its top) says why it is one piece. */
  readonly justified: boolean;
}

/** The words a comment uses to say that a long function or file is one piece on purpose. */
export const ONE_PIECE = /\bone piece\b/i;
export const MAX_FUNCTION_LINES = 80;
export const MAX_FILE_LINES = 400;

export async function readSources(sourceRoot: string): Promise<Source[]> {
  const entries = await readdir(sourceRoot, { recursive: true, withFileTypes: true });
  const paths = entries.filter((entry) => entry.isFile() && entry.name.endsWith('.ts')).map((entry) => relative(sourceRoot, join(entry.parentPath, entry.name)).split(sep).join('/'));
  return Promise.all(paths.sort().map(async (path) => ({ path, text: await readFile(join(sourceRoot, path), 'utf8') })));
}

function parse(source: Source): ts.SourceFile {
  return ts.createSourceFile(source.path, source.text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
}

/** The imports between the given files; imports of packages and node: modules are left out. */
export function importEdges(sources: readonly Source[]): ImportEdge[] {
  const known = new Set(sources.map((source) => source.path));
  const edges: ImportEdge[] = [];
  for (const source of sources) {
    const file = parse(source);
    const add = (specifier: string, node: ts.Node, kind: ImportEdge['kind']): void => {
      if (!specifier.startsWith('.')) return;
      const to = posix.normalize(posix.join(posix.dirname(source.path), specifier)).replace(/\.js$/, '.ts');
      // A relative import of a file that is not there is tsc's to report; name it here too.
      edges.push({ from: source.path, to: known.has(to) ? to : `${to} (missing)`, line: file.getLineAndCharacterOfPosition(node.getStart()).line + 1, kind });
    };
    const visit = (node: ts.Node): void => {
      if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier !== undefined && ts.isStringLiteral(node.moduleSpecifier)) {
        const typeOnly = ts.isImportDeclaration(node) ? node.importClause?.isTypeOnly === true : node.isTypeOnly;
        add(node.moduleSpecifier.text, node, typeOnly ? 'type' : 'static');
      } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
        const argument = node.arguments[0];
        if (argument !== undefined && ts.isStringLiteralLike(argument)) add(argument.text, node, 'dynamic');
        // A computed import() cannot be followed; the rules forbid none we use, so say so.
        else edges.push({ from: source.path, to: '<computed import()>', line: file.getLineAndCharacterOfPosition(node.getStart()).line + 1, kind: 'dynamic' });
      } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
        add(node.argument.literal.text, node, 'type');
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  return edges;
}

/** Every circle of imports: the groups of files that reach each other (strongly connected), each sorted, with a file importing itself as a group of one. */
export function importCircles(edges: readonly ImportEdge[]): string[][] {
  const next = new Map<string, Set<string>>();
  for (const edge of edges) {
    if (!next.has(edge.from)) next.set(edge.from, new Set());
    next.get(edge.from)?.add(edge.to);
  }
  // Tarjan's algorithm, iterative so that a long chain of imports cannot overflow the stack.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const circles: string[][] = [];
  let counter = 0;
  for (const start of [...next.keys()].sort()) {
    if (index.has(start)) continue;
    const work: { node: string; targets: string[] }[] = [];
    const open = (node: string): void => {
      index.set(node, counter);
      low.set(node, counter);
      counter += 1;
      stack.push(node);
      onStack.add(node);
      work.push({ node, targets: [...(next.get(node) ?? [])].sort() });
    };
    open(start);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      if (frame === undefined) break;
      const target = frame.targets.shift();
      if (target !== undefined) {
        if (!index.has(target)) open(target);
        else if (onStack.has(target)) low.set(frame.node, Math.min(low.get(frame.node) ?? 0, index.get(target) ?? 0));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent !== undefined) low.set(parent.node, Math.min(low.get(parent.node) ?? 0, low.get(frame.node) ?? 0));
      if (low.get(frame.node) !== index.get(frame.node)) continue;
      const group: string[] = [];
      let member: string | undefined;
      do {
        member = stack.pop();
        if (member === undefined) break;
        onStack.delete(member);
        group.push(member);
      } while (member !== frame.node);
      if (group.length > 1 || next.get(frame.node)?.has(frame.node) === true) circles.push(group.sort());
    }
  }
  return circles.sort((a, b) => (a[0] ?? '').localeCompare(b[0] ?? ''));
}

function functionName(node: ts.FunctionLikeDeclaration): string {
  const own = node.name !== undefined ? node.name.getText() : null;
  const parent = node.parent;
  if (own !== null) {
    const owner = ts.isClassLike(parent) && parent.name !== undefined ? `${parent.name.text}.` : '';
    return `${owner}${own}`;
  }
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) return parent.name.getText();
  return '<anonymous>';
}

/** The comments above a node, and above the statement or member it opens (a `const f = () =>` or an object's `key: () =>`). */
function commentsAbove(node: ts.Node, file: ts.SourceFile): string {
  const texts: string[] = [];
  let current: ts.Node | undefined = node;
  while (current !== undefined && !ts.isSourceFile(current)) {
    for (const range of ts.getLeadingCommentRanges(file.text, current.getFullStart()) ?? []) texts.push(file.text.slice(range.pos, range.end));
    if (ts.isStatement(current) || ts.isClassElement(current) || ts.isPropertyAssignment(current)) break;
    current = current.parent;
  }
  return texts.join('\n');
}

function lineOf(file: ts.SourceFile, position: number): number {
  return file.getLineAndCharacterOfPosition(position).line + 1;
}

/** Every function (declarations, methods, accessors, constructors, arrows, expressions) and the file itself, with its length in lines. */
export function lengths(source: Source): Length[] {
  const file = parse(source);
  const found: Length[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body !== undefined) {
      const declaration = node as ts.FunctionLikeDeclaration;
      const line = lineOf(file, declaration.getStart());
      found.push({ path: source.path, name: functionName(declaration), line, lines: lineOf(file, declaration.getEnd()) - line + 1, justified: ONE_PIECE.test(commentsAbove(declaration, file)) });
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  const fileLines = source.text.endsWith('\n') ? source.text.split('\n').length - 1 : source.text.split('\n').length;
  const top = (ts.getLeadingCommentRanges(source.text, 0) ?? []).map((range) => source.text.slice(range.pos, range.end)).join('\n');
  found.push({ path: source.path, name: null, line: 1, lines: fileLines, justified: ONE_PIECE.test(top) });
  return found;
}

/** Functions over MAX_FUNCTION_LINES and files over MAX_FILE_LINES without a comment saying why they are one piece. */
export function unjustifiedLengths(sources: readonly Source[]): string[] {
  return sources
    .flatMap((source) => lengths(source))
    .filter((item) => !item.justified && item.lines > (item.name === null ? MAX_FILE_LINES : MAX_FUNCTION_LINES))
    .map((item) => (item.name === null ? `${item.path}: ${item.lines} lines` : `${item.path}:${item.line} ${item.name}: ${item.lines} lines`));
}
