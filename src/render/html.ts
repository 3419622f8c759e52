/**
 * The printable report as one self-contained HTML file: Handlebars templates (templates/layout.hbs
 * and templates/partials/*.hbs, each replaceable from --template-dir), inline CSS, inline SVG
 * charts, the logo as a data: URI, no scripts and nothing fetched. Every data value goes through
 * Handlebars' escaping; the templates never use the triple-stash.
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import Handlebars from 'handlebars';
import type { AnalysisResult } from '../analyze/result.js';
import { UserError } from '../util/errors.js';
import { packageRoot } from '../util/paths.js';
import { embeddedFontCss } from './fonts.js';
import { buildReportModel, NO_BRANDING, type DocumentInfo, type ReportBranding, type ReportPart } from './report-model.js';

export const DEFAULT_TEMPLATE_DIR = join(packageRoot, 'templates');

/** A part as the layout prints it: whole (HTML), or one chunk of its rows (PDF). */
export interface PrintedPart extends ReportPart {
  /** True for the second and later chunks of a long table: the section heading is not repeated. */
  readonly continued: boolean;
}

/** What the layout and the PDF printer read of a document; other documents (the change report) fill only this. */
export type PrintableDocumentInfo = Pick<DocumentInfo, 'title' | 'subject' | 'keywords' | 'author' | 'creator' | 'medium' | 'reportTime' | 'footerLines'>;

export interface PrintedDocument {
  readonly document: PrintableDocumentInfo;
  readonly parts: readonly PrintedPart[];
}

async function listTemplates(folder: string): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const entries = await readdir(folder, { withFileTypes: true });
  for (const entry of entries) {
    if (entry.isFile() && entry.name === 'layout.hbs') found.set('layout', join(folder, entry.name));
  }
  const partials = join(folder, 'partials');
  const partialEntries = await readdir(partials, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    // A template folder may override only the layout; a missing partials/ folder is fine.
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  for (const entry of partialEntries) {
    if (entry.isFile() && entry.name.endsWith('.hbs')) found.set(`partials/${entry.name.slice(0, -'.hbs'.length)}`, join(partials, entry.name));
  }
  return found;
}

async function compileFile(environment: typeof Handlebars, path: string): Promise<HandlebarsTemplateDelegate> {
  const source = await readFile(path, 'utf8');
  try {
    // parse() reports syntax errors now, with the line, instead of at the first render.
    environment.parse(source);
  } catch (error) {
    throw new UserError(`${path}: template error: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  }
  return environment.compile(source, { strict: false, preventIndent: true });
}

/** The compiled templates of one run: the bundled ones, each overridden by --template-dir. */
export class ReportTemplates {
  private constructor(
    private readonly layout: HandlebarsTemplateDelegate,
    /** Files used, for messages: bundled or overridden. */
    readonly files: ReadonlyMap<string, string>,
  ) {}

  static async load(templateDir: string | null): Promise<ReportTemplates> {
    const files = await listTemplates(DEFAULT_TEMPLATE_DIR);
    if (templateDir !== null) {
      let overrides: Map<string, string>;
      try {
        overrides = await listTemplates(templateDir);
      } catch (error) {
        throw new UserError(`--template-dir ${templateDir}: ${error instanceof Error && 'code' in error && error.code === 'ENOENT' ? 'no such folder' : String(error)}`);
      }
      if (overrides.size === 0) throw new UserError(`--template-dir ${templateDir}: holds neither layout.hbs nor partials/*.hbs`);
      for (const [name, path] of overrides) files.set(name, path);
    }
    const environment = Handlebars.create();
    environment.registerHelper('eq', (left: unknown, right: unknown) => left === right);
    // The CSS comes from the font files of this package, never from report data: safe unescaped.
    // Identifiers (ARNs, rule ids, user names) may wrap after a separator, never inside a word.
    environment.registerHelper('breakable', (value: unknown) =>
      new environment.SafeString(environment.escapeExpression(typeof value === 'string' ? value : String(value ?? '')).replace(/([/:._@,-])/g, '$1<wbr>')),
    );
    environment.registerHelper('embeddedFonts', () => new environment.SafeString(embeddedFontCss()));
    let layout: HandlebarsTemplateDelegate | null = null;
    for (const [name, path] of files) {
      const template = await compileFile(environment, path);
      if (name === 'layout') layout = template;
      else environment.registerPartial(basename(name), template);
    }
    if (layout === null) throw new UserError(`no layout.hbs in ${DEFAULT_TEMPLATE_DIR}`);
    return new ReportTemplates(layout, files);
  }

  render(printed: PrintedDocument): string {
    try {
      // NUL is not allowed in HTML (parsers drop or replace it unpredictably); values from input may hold one.
      return keepTokensWhole(this.layout(printed, { allowProtoPropertiesByDefault: false, allowProtoMethodsByDefault: false }).replace(/\u0000/g, '\uFFFD'), printed.document.medium === 'pdf');
    } catch (error) {
      // A custom template naming a partial that does not exist ends up here.
      throw new UserError(`report template error: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    }
  }
}

/** An ISO 8601 instant as the report prints it (date, time, optional fraction and zone). */
const INSTANT = /\b\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)?(?![\w:])/g;
/** A SHA-256 in hexadecimal, as every hash in the report is. */
const SHA256_HEX = /\b[0-9a-f]{64}\b/g;
/** Where the body's text may be changed: not inside <svg> (no HTML there), <style>, <script> or <title>. */
const OPAQUE_ELEMENT = /<(svg|style|script|title|textarea)\b[\s\S]*?<\/\1>/gi;

/**
 * Instants and hashes never break across lines (issue 25): an instant is one unbreakable token
 * (Chromium would otherwise break after its hyphens), and in print a SHA-256 is eight fixed groups
 * of eight characters on one line (on screen, one word that may wrap). Done on the
 * rendered text (between tags, outside <svg> and the head's raw-text elements) so every template,
 * a --template-dir one included, gets it without a helper of its own.
 */
function keepTokensWhole(html: string, print: boolean): string {
  const bodyStart = html.search(/<body\b/i);
  const start = bodyStart < 0 ? 0 : bodyStart;
  const wrapText = (segment: string): string =>
    segment.replace(/>([^<]+)</g, (_match, text: string) => {
      if (!/\d/.test(text)) return `>${text}<`;
      const wrapped = text
        // On screen the hash stays one word (copied whole) and may wrap anywhere; in print it is eight groups on one line.
        .replace(SHA256_HEX, (hash) => (print ? `<span class="hash">${(hash.match(/.{8}/g) ?? []).map((group) => `<span>${group}</span>`).join(' ')}</span>` : `<span class="hash">${hash}</span>`))
        .replace(INSTANT, (instant) => `<span class="instant">${instant}</span>`);
      return `>${wrapped}<`;
    });
  let output = html.slice(0, start);
  let last = start;
  for (const match of html.slice(start).matchAll(OPAQUE_ELEMENT)) {
    const index = start + (match.index ?? 0);
    output += wrapText(`>${html.slice(last, index)}`).slice(1) + match[0];
    last = index + match[0].length;
  }
  return output + wrapText(`>${html.slice(last)}`).slice(1);
}

export interface HtmlOptions {
  readonly templates: ReportTemplates;
  readonly branding: ReportBranding;
}

export function renderHtml(result: AnalysisResult, options: HtmlOptions): string {
  const model = buildReportModel(result, options.branding, 'html');
  return options.templates.render({ document: model.document, parts: model.parts.map((part) => ({ ...part, continued: false })) });
}

/** For tests and callers that want the bundled templates and no branding. */
export async function renderDefaultHtml(result: AnalysisResult, branding: ReportBranding = NO_BRANDING): Promise<string> {
  return renderHtml(result, { templates: await ReportTemplates.load(null), branding });
}

const IMAGE_SIGNATURES: ReadonlyArray<{ readonly type: string; readonly test: (bytes: Buffer) => boolean }> = [
  { type: 'image/png', test: (bytes) => bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) },
  { type: 'image/jpeg', test: (bytes) => bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff },
  { type: 'image/gif', test: (bytes) => bytes.subarray(0, 4).toString('latin1') === 'GIF8' },
  { type: 'image/webp', test: (bytes) => bytes.subarray(0, 4).toString('latin1') === 'RIFF' && bytes.subarray(8, 12).toString('latin1') === 'WEBP' },
  { type: 'image/svg+xml', test: (bytes) => /^\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*(<!DOCTYPE svg[^>]*>\s*)?<svg[\s>]/i.test(bytes.subarray(0, 4096).toString('utf8')) },
];

/**
 * Reads --logo into a data: URI, recognising the image by its bytes (not its name). An SVG logo
 * is safe in an <img>: browsers neither run its scripts nor load its references there.
 */
export async function loadLogo(path: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new UserError(`--logo ${path}: ${error instanceof Error && 'code' in error && error.code === 'ENOENT' ? 'no such file' : 'cannot be read'}`);
  }
  const signature = IMAGE_SIGNATURES.find((candidate) => candidate.test(bytes));
  if (signature === undefined) throw new UserError(`--logo ${path}: not a PNG, JPEG, GIF, WebP or SVG image`);
  return `data:${signature.type};base64,${bytes.toString('base64')}`;
}
