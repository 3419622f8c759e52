/**
 * The tagged PDF's structure tree across the merge (issue 25): every Chromium print is tagged
 * (headings, tables with header cells, figures with their alternative text, in reading order),
 * and pdf-lib's copyPages copies pages, not the structure tree. Here each print's pages and its
 * structure are copied with one object copier (so the elements' /Pg and the link annotations point
 * at the copied pages), the pieces' Document elements are merged into one, the parent tree is
 * renumbered (each piece counts its /StructParents from 0), and the ids the table cells name in
 * /Headers are made unique per piece. What pdf-lib draws itself (the contents pages) is tagged
 * here too; footers and running heads are artifacts (pdf.ts).
 */
import { PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, PDFNumber, PDFObjectCopier, PDFOperator, PDFOperatorNames, PDFPage, PDFPageLeaf, PDFRef, PDFString, type PDFObject } from './pdf-library.js';

const name = (value: string): PDFName => PDFName.of(value);

/** The entries of a number tree (the parent tree), flattened: key, value. */
function numberTreeEntries(document: PDFDocument, node: PDFDict | undefined): [number, PDFObject][] {
  if (node === undefined) return [];
  const entries: [number, PDFObject][] = [];
  const pending: PDFDict[] = [node];
  while (pending.length > 0) {
    const current = pending.pop() as PDFDict;
    const kids = current.lookupMaybe(name('Kids'), PDFArray);
    if (kids !== undefined) for (const kid of kids.asArray()) pending.push(document.context.lookup(kid, PDFDict));
    const nums = current.lookupMaybe(name('Nums'), PDFArray);
    if (nums === undefined) continue;
    for (let index = 0; index + 1 < nums.size(); index += 2) {
      const key = nums.lookup(index, PDFNumber).asNumber();
      const value = nums.get(index + 1);
      if (value !== undefined) entries.push([key, value]);
    }
  }
  return entries;
}

/** The children of a structure element's /K, as a list. */
function kidsOf(element: PDFDict): PDFObject[] {
  const kids = element.get(name('K'));
  if (kids === undefined) return [];
  return kids instanceof PDFArray ? kids.asArray() : [kids];
}

function textOf(value: PDFObject | undefined): string | null {
  return value instanceof PDFString || value instanceof PDFHexString ? value.decodeText() : null;
}

/** A NonStruct element that only groups (no attributes, alternative or actual text, id, language or title). */
function isPlainWrapper(element: PDFDict): boolean {
  if (String(element.get(name('S'))) !== '/NonStruct') return false;
  return ['A', 'Alt', 'ActualText', 'E', 'ID', 'Lang', 'T', 'C'].every((key) => element.get(name(key)) === undefined);
}

/**
 * Chromium wraps every run of text in a NonStruct element (about half the elements of a table):
 * such wrappers are hoisted into their parent before the copy, their marked content and children
 * taken over in the same order (NonStruct has no meaning of its own, ISO 32000 14.8.4.2), and the
 * parent tree pointed at the new owners. The same reading, about half the objects to copy and save.
 */
function hoistWrappers(piece: PDFDocument, roots: readonly PDFRef[], parentTree: [number, PDFObject][]): void {
  const context = piece.context;
  const ownerOf = new Map<PDFRef, PDFRef>();
  const visit = (reference: PDFRef): void => {
    const element = context.lookupMaybe(reference, PDFDict);
    if (element === undefined) return;
    const page = element.get(name('Pg'));
    const kept: PDFObject[] = [];
    let changed = false;
    for (const kid of kidsOf(element)) {
      const child = kid instanceof PDFRef ? context.lookupMaybe(kid, PDFDict) : undefined;
      if (!(kid instanceof PDFRef) || child === undefined || child.get(name('S')) === undefined) {
        kept.push(kid);
        continue;
      }
      visit(kid);
      if (!isPlainWrapper(child)) {
        kept.push(kid);
        continue;
      }
      changed = true;
      ownerOf.set(kid, reference);
      const childPage = child.get(name('Pg'));
      for (const grandchild of kidsOf(child)) {
        if (grandchild instanceof PDFNumber) {
          // A bare MCID belongs to its element's page: kept bare on the same page, else a marked-content reference.
          kept.push(childPage === page || childPage === undefined ? grandchild : context.obj({ Type: 'MCR', Pg: childPage, MCID: grandchild }));
          continue;
        }
        const moved = grandchild instanceof PDFRef ? context.lookupMaybe(grandchild, PDFDict) : undefined;
        if (moved !== undefined && moved.get(name('S')) !== undefined) moved.set(name('P'), reference);
        kept.push(grandchild);
      }
    }
    if (changed) element.set(name('K'), context.obj(kept));
  };
  for (const root of roots) visit(root);
  if (ownerOf.size === 0) return;
  const resolve = (reference: PDFRef): PDFRef => {
    let current = reference;
    for (let owner = ownerOf.get(current); owner !== undefined; owner = ownerOf.get(current)) current = owner;
    return current;
  };
  for (const [, value] of parentTree) {
    const entries = value instanceof PDFRef ? context.lookup(value) : value;
    if (!(entries instanceof PDFArray)) continue;
    for (let index = 0; index < entries.size(); index += 1) {
      const entry = entries.get(index);
      if (entry instanceof PDFRef && ownerOf.has(entry)) entries.set(index, resolve(entry));
    }
  }
  // An annotation's entry is the element itself: a wrapper's link object now belongs to the owner.
  parentTree.forEach(([key, value], index) => {
    if (value instanceof PDFRef && ownerOf.has(value)) parentTree[index] = [key, resolve(value)];
  });
}

/** A rectangle on a page of a printed piece: [left, bottom, right, top] in points. */
export interface PieceBox {
  readonly pageIndex: number;
  readonly rect: readonly [number, number, number, number];
}

/**
 * Takes out of a printed piece the link annotation that points at `anchor` and returns where it
 * was: a template marks a box on the page (the cover's signature box) with a link over it, and
 * Chromium writes that link's rectangle exactly where the box is printed. The link is removed from
 * its page and from the structure tree, so no stray link is left under the box.
 */
export function takeLinkBox(piece: PDFDocument, anchor: string): PieceBox | null {
  const structRoot = piece.catalog.lookupMaybe(name('StructTreeRoot'), PDFDict);
  const parentTree = new Map(numberTreeEntries(piece, structRoot?.lookupMaybe(name('ParentTree'), PDFDict)));
  for (const [pageIndex, page] of piece.getPages().entries()) {
    const annots = page.node.Annots();
    if (annots === undefined) continue;
    for (let index = 0; index < annots.size(); index += 1) {
      const reference = annots.get(index);
      const annotation = piece.context.lookupMaybe(reference, PDFDict);
      const target = annotation?.get(name('Dest'));
      if (annotation === undefined || !(target instanceof PDFName) || target.decodeText() !== anchor) continue;
      const rect = annotation.lookup(name('Rect'), PDFArray).asArray().map((value) => (value instanceof PDFNumber ? value.asNumber() : 0));
      annots.remove(index);
      const structParent = annotation.lookupMaybe(name('StructParent'), PDFNumber)?.asNumber();
      const owner = structParent === undefined ? undefined : piece.context.lookupMaybe(parentTree.get(structParent), PDFDict);
      if (owner !== undefined) {
        const kept = kidsOf(owner).filter((kid) => {
          const objectReference = piece.context.lookupMaybe(kid, PDFDict);
          return objectReference?.get(name('Obj')) !== reference;
        });
        owner.set(name('K'), piece.context.obj(kept));
      }
      const [left = 0, bottom = 0, right = 0, top = 0] = rect;
      return { pageIndex, rect: [Math.min(left, right), Math.min(bottom, top), Math.max(left, right), Math.max(bottom, top)] };
    }
  }
  return null;
}

/**
 * The merged document's structure tree, built as the pieces are copied in. `finish` writes it to
 * the catalog with /MarkInfo; until then nothing in the document refers to it.
 */
export class MergedStructure {
  private readonly documentElement: PDFRef;
  private readonly kids: PDFRef[] = [];
  private readonly parentTree: [number, PDFObject][] = [];
  private readonly ids: [string, PDFRef][] = [];
  private nextKey = 0;
  private pieces = 0;
  /** Pages pdf-lib draws (the contents): each one's list of marked-content elements, by MCID. */
  private readonly drawnPages = new Map<PDFRef, PDFArray>();
  private tagged = true;
  /** Pages drawn ahead (drawTrailing) that end the document: copied pieces' pages go before them. */
  private trailingPages = 0;
  /** The Document's children drawn ahead: after every piece's, whenever those are merged. */
  private readonly trailingKids: PDFRef[] = [];
  private drawingTrailing = false;

  constructor(private readonly document: PDFDocument) {
    this.documentElement = document.context.nextRef();
  }

  /** How many top-level elements the document has so far: where later ones may be inserted. */
  get length(): number {
    return this.kids.length;
  }

  /** How many pages the document has, but for those drawn ahead to end it: where the next piece's first page goes. */
  get pagesBeforeTrailing(): number {
    return this.document.getPageCount() - this.trailingPages;
  }

  /**
   * Runs `draw`, which adds pages at the end of the document (returning how many) whose content
   * ends the document: pieces copied later go before those pages, and the Document elements `draw`
   * attaches stay after theirs. Lets pdf-lib draw the last section while the browser prints the others.
   */
  drawTrailing(draw: () => number): void {
    this.drawingTrailing = true;
    try {
      this.trailingPages += draw();
    } finally {
      this.drawingTrailing = false;
    }
  }

  /**
   * Copies every page of `piece` into the merged document (appended) with its structure, and
   * returns the copied pages. A piece without a structure tree (a --template-dir print Chromium
   * could not tag) makes the whole document untagged: a partial tree would misstate the reading order.
   */
  copyPiece(piece: PDFDocument): PDFPage[] {
    const copier = PDFObjectCopier.for(piece.context, this.document.context);
    const structRoot = piece.catalog.lookupMaybe(name('StructTreeRoot'), PDFDict);
    if (structRoot === undefined) this.tagged = false;
    const pieceNumber = (this.pieces += 1);
    const pieceKids: PDFObject[] = [];
    // Whatever in the piece points at its Document element (content marked directly under it) gets the merged one.
    const traversed = (copier as unknown as { readonly traversedObjects: Map<PDFObject, PDFObject> }).traversedObjects;
    for (const element of structRoot === undefined ? [] : kidsOf(structRoot)) {
      const top = piece.context.lookupMaybe(element, PDFDict);
      if (top === undefined) continue;
      traversed.set(element, this.documentElement);
      // The piece's Document element is left behind: its children become the merged Document's.
      for (const kid of kidsOf(top)) {
        const child = piece.context.lookupMaybe(kid, PDFDict);
        if (child === undefined || !(kid instanceof PDFRef)) continue;
        child.delete(name('P'));
        pieceKids.push(kid);
      }
    }
    const pieceParentTree = numberTreeEntries(piece, structRoot?.lookupMaybe(name('ParentTree'), PDFDict));
    hoistWrappers(piece, pieceKids.filter((kid): kid is PDFRef => kid instanceof PDFRef), pieceParentTree);
    const offset = this.nextKey;
    const pages = piece.getPages().map((page) => {
      const reference = copier.copy(page.ref) as PDFRef;
      const leaf = this.document.context.lookup(reference);
      if (!(leaf instanceof PDFPageLeaf)) throw new Error('internal error: a copied page is not a page');
      const copied = PDFPage.of(leaf, reference, this.document);
      this.document.insertPage(this.pagesBeforeTrailing, copied);
      return copied;
    });
    for (const kid of pieceKids) {
      const copied = copier.copy(kid) as PDFRef;
      this.document.context.lookup(copied, PDFDict).set(name('P'), this.documentElement);
      this.kids.push(copied);
    }
    let maxKey = -1;
    for (const [key, value] of pieceParentTree) {
      this.parentTree.push([key + offset, copier.copy(value)]);
      maxKey = Math.max(maxKey, key);
    }
    this.nextKey = offset + maxKey + 1;
    for (const page of pages) {
      const structParents = page.node.lookupMaybe(name('StructParents'), PDFNumber);
      if (structParents !== undefined) page.node.set(name('StructParents'), PDFNumber.of(structParents.asNumber() + offset));
      for (const annotationRef of page.node.Annots()?.asArray() ?? []) {
        const annotation = this.document.context.lookupMaybe(annotationRef, PDFDict);
        const structParent = annotation?.lookupMaybe(name('StructParent'), PDFNumber);
        if (annotation !== undefined && structParent !== undefined) annotation.set(name('StructParent'), PDFNumber.of(structParent.asNumber() + offset));
      }
    }
    this.renameIds(this.kids.slice(this.kids.length - pieceKids.length), `p${pieceNumber}-`);
    return pages;
  }

  /**
   * Ids are unique per print but not stable: Chromium names them after its DOM nodes
   * (`node00000059`), numbered as the nodes were created, which differs from run to run on a
   * loaded machine (the reproducible-PDF test caught it). Renamed to the piece and the order of
   * the elements in the tree (`p4-id000001`), in /ID and in the cells' /Headers, so the same
   * report gives the same bytes.
   */
  private renameIds(roots: readonly PDFRef[], prefix: string): void {
    const renamed = new Map<string, string>();
    const elements: { element: PDFDict; reference: PDFObject | undefined }[] = [];
    const context = this.document.context;
    const pending: PDFObject[] = [...roots];
    while (pending.length > 0) {
      const reference = pending.pop();
      const element = reference instanceof PDFRef ? context.lookupMaybe(reference, PDFDict) : reference instanceof PDFDict ? reference : undefined;
      if (element === undefined || element.get(name('S')) === undefined) continue;
      elements.push({ element, reference });
      const id = textOf(element.get(name('ID')));
      if (id !== null && !renamed.has(id)) renamed.set(id, `${prefix}id${String(renamed.size + 1).padStart(6, '0')}`);
      for (const kid of kidsOf(element)) if (!(kid instanceof PDFNumber)) pending.push(kid);
    }
    // An id no element carries (a header naming a cell that is not there) keeps its name, with the prefix.
    const newName = (id: string): string => renamed.get(id) ?? `${prefix}${id}`;
    for (const { element, reference } of elements) {
      const id = textOf(element.get(name('ID')));
      if (id !== null) {
        element.set(name('ID'), PDFString.of(newName(id)));
        if (reference instanceof PDFRef) this.ids.push([newName(id), reference]);
      }
      this.renameHeaders(element, newName);
    }
  }

  private renameHeaders(element: PDFDict, newName: (id: string) => string): void {
    const context = this.document.context;
    const attributes = element.get(name('A'));
    const lists = attributes === undefined ? [] : attributes instanceof PDFArray ? attributes.asArray() : [attributes];
    for (const list of lists) {
      const dictionary = context.lookupMaybe(list, PDFDict);
      const headers = dictionary?.lookupMaybe(name('Headers'), PDFArray);
      if (dictionary === undefined || headers === undefined) continue;
      dictionary.set(name('Headers'), context.obj(headers.asArray().map((header) => PDFString.of(newName(textOf(header) ?? '')))));
    }
  }

  /**
   * Tags what pdf-lib draws on `page` (the contents pages): `draw` is wrapped in marked content
   * with a new MCID, and a structure element of type `type` under `parent` (the Document when
   * null) points at it. Returns the element, so others may be put under it.
   */
  markedContent(page: PDFPage, type: string, parent: PDFRef | null, draw: () => void): PDFRef {
    const { element, mcid } = this.tag(page, type, parent);
    page.pushOperators(PDFOperator.of(PDFOperatorNames.BeginMarkedContentSequence, [name(type), `<< /MCID ${mcid} >>`]));
    draw();
    page.pushOperators(PDFOperator.of(PDFOperatorNames.EndMarkedContent));
    return element;
  }

  /**
   * A new element of type `type` under `parent` (the Document when null) for the next marked
   * content on `page`: returns it and the MCID the caller's content stream marks (`/type <</MCID n>> BDC ... EMC`).
   * `attributes` (e.g. a header cell's scope) become the element's /A.
   */
  tag(page: PDFPage, type: string, parent: PDFRef | null, attributes?: PDFDict): { element: PDFRef; mcid: number } {
    const context = this.document.context;
    let mcids = this.drawnPages.get(page.ref);
    if (mcids === undefined) {
      const key = this.nextKey;
      this.nextKey += 1;
      mcids = context.obj([]);
      this.drawnPages.set(page.ref, mcids);
      this.parentTree.push([key, mcids]);
      page.node.set(name('StructParents'), PDFNumber.of(key));
    }
    const mcid = mcids.size();
    const dictionary = context.obj({ Type: 'StructElem', S: type, P: parent ?? this.documentElement, Pg: page.ref, K: mcid });
    if (attributes !== undefined) dictionary.set(name('A'), attributes);
    const element = context.register(dictionary);
    mcids.push(element);
    return { element, mcid };
  }

  /** A grouping element (a section, the contents list) under `parent`, with no content of its own. */
  group(type: string, parent: PDFRef | null, title?: string): PDFRef {
    const context = this.document.context;
    return context.register(context.obj({ Type: 'StructElem', S: type, P: parent ?? this.documentElement, K: [], ...(title === undefined ? {} : { T: PDFHexString.fromText(title) }) }));
  }

  /** Puts `element` under `parent` (after its present children), or at `index` among the Document's children when parent is null. */
  attach(element: PDFRef, parent: PDFRef | null, index?: number): void {
    if (parent === null && this.drawingTrailing) {
      this.trailingKids.push(element);
      return;
    }
    if (parent === null) {
      this.kids.splice(index ?? this.kids.length, 0, element);
      return;
    }
    const dictionary = this.document.context.lookup(parent, PDFDict);
    const kids = dictionary.get(name('K'));
    if (kids instanceof PDFArray) kids.push(element);
    else dictionary.set(name('K'), this.document.context.obj(kids === undefined ? [element] : [kids, element]));
  }

  /** Writes the structure tree, /MarkInfo and the language; nothing when a piece was untagged. */
  finish(language: string): void {
    const kids = [...this.kids, ...this.trailingKids];
    if (!this.tagged || kids.length === 0) return;
    const context = this.document.context;
    const root = context.nextRef();
    context.assign(this.documentElement, context.obj({ Type: 'StructElem', S: 'Document', P: root, K: kids, Lang: PDFString.of(language) }));
    const sorted = [...this.parentTree].sort((a, b) => a[0] - b[0]);
    const nums = context.obj(sorted.flatMap(([key, value]) => [PDFNumber.of(key), value]));
    const ids = [...this.ids].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const rootDictionary = context.obj({
      Type: 'StructTreeRoot',
      K: this.documentElement,
      ParentTree: context.register(context.obj({ Nums: nums })),
      ParentTreeNextKey: this.nextKey,
    });
    // Chromium writes some PDF 2.0 types (<strong>, <em>): mapped to their PDF 1.7 equivalent for older readers.
    rootDictionary.set(name('RoleMap'), context.obj({ Strong: 'Span', Em: 'Span', Sub: 'Span', Aside: 'Div', FENote: 'Note', Title: 'H1' }));
    if (ids.length > 0) rootDictionary.set(name('IDTree'), context.register(context.obj({ Names: ids.flatMap(([id, reference]) => [PDFString.of(id), reference]) })));
    context.assign(root, rootDictionary);
    this.document.catalog.set(name('StructTreeRoot'), root);
    this.document.catalog.set(name('MarkInfo'), context.obj({ Marked: true }));
  }
}
