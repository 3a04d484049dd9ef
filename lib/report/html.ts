// The HTML page around the charts: one self-contained file, inline CSS and inline SVG only.
import { escapeHtml } from './format.js';

/** One section of a report page. `body` is trusted HTML (already escaped). */
export interface HtmlSection {
  /** Element id, also used as the anchor in the table of contents. */
  id: string;
  title: string;
  /** Plain text shown under the title (escaped here). */
  caption?: string;
  body: string;
}

/** What {@link htmlDocument} lays out. */
export interface HtmlDocumentInput {
  title: string;
  /** Plain text under the page title. */
  subtitle?: string;
  sections: readonly HtmlSection[];
  /** Plain text footer. */
  footer: string;
}

/**
 * Blocks every fetch at view time: no scripts, no fonts, no images from anywhere, no frames,
 * no forms; only the inline styles the page and the SVGs carry, and same-file links.
 */
export const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

const CSS = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #f4f5f7; color: #1d232b; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
header.page { background: #1f3b57; color: #fff; padding: 18px 28px 14px; }
header.page h1 { margin: 0; font-size: 22px; font-weight: 600; }
header.page p { margin: 4px 0 0; color: #cfdbe7; font-size: 13px; overflow-wrap: anywhere; }
nav.toc { padding: 8px 28px; background: #e6ebf1; font-size: 13px; }
nav.toc a { color: #1f3b57; margin-right: 16px; text-decoration: none; }
nav.toc a:hover { text-decoration: underline; }
main { padding: 16px 28px 28px; max-width: 1280px; }
section { background: #fff; border: 1px solid #dde2e8; border-radius: 6px; padding: 14px 18px 16px; margin: 0 0 16px; }
section h2 { margin: 0 0 4px; font-size: 17px; font-weight: 600; }
section h3 { margin: 6px 0 6px; font-size: 14px; font-weight: 600; color: #2b3a4a; }
section p.caption { margin: 0 0 10px; color: #4a5563; font-size: 13px; max-width: 980px; }
section p.missing { margin: 8px 0; padding: 10px 12px; background: #fff8e6; border-left: 3px solid #f0b429; color: #5c4400; }
figure { margin: 0; overflow-x: auto; }
figure svg { max-width: 100%; height: auto; display: block; }
table { border-collapse: collapse; font-size: 13px; }
table.kv th { text-align: left; font-weight: 600; color: #39424e; padding: 4px 18px 4px 0; vertical-align: top; white-space: nowrap; }
table.kv td { padding: 4px 0; overflow-wrap: anywhere; }
table.runs { width: 100%; }
table.runs th, table.runs td { border-bottom: 1px solid #e3e7ec; padding: 5px 10px 5px 0; text-align: left; vertical-align: top; }
table.runs th { color: #39424e; font-weight: 600; }
table.runs .num { text-align: right; font-variant-numeric: tabular-nums; }
table.runs tr.failed td { color: #8a1c1c; }
ul.failed { margin: 4px 0; padding-left: 20px; color: #8a1c1c; }
ul.failed li { margin: 3px 0; overflow-wrap: anywhere; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; background: #f0f2f5; padding: 1px 4px; border-radius: 3px; }
footer { padding: 0 28px 24px; color: #6b7480; font-size: 12px; }
.grid2 { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 8px 32px; }
@media (max-width: 900px) { .grid2 { grid-template-columns: minmax(0, 1fr); } }
`;

/**
 * A complete, self-contained HTML page: inline CSS, a Content-Security-Policy that forbids
 * every network fetch, a table of contents and one `<section>` per entry.
 *
 * @example
 * ```ts
 * const html = htmlDocument({ title: 'rdm2 report', sections: [{ id: 'a', title: 'A', body: '<p>hi</p>' }], footer: 'rdm2 0.1.0' });
 * ```
 */
export function htmlDocument(input: HtmlDocumentInput): string {
  const toc = input.sections.map((s) => `<a href="#${escapeHtml(s.id)}">${escapeHtml(s.title)}</a>`).join('');
  const sections = input.sections
    .map((s) => {
      const caption = s.caption ? `\n<p class="caption">${escapeHtml(s.caption)}</p>` : '';
      return `<section id="${escapeHtml(s.id)}" data-section="${escapeHtml(s.id)}">\n<h2>${escapeHtml(s.title)}</h2>${caption}\n${s.body}\n</section>`;
    })
    .join('\n');
  const subtitle = input.subtitle ? `\n<p>${escapeHtml(input.subtitle)}</p>` : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="${escapeHtml(input.footer)}">
<title>${escapeHtml(input.title)}</title>
<style>${CSS}</style>
</head>
<body>
<header class="page">
<h1>${escapeHtml(input.title)}</h1>${subtitle}
</header>
<nav class="toc">${toc}</nav>
<main>
${sections}
</main>
<footer>${escapeHtml(input.footer)}</footer>
</body>
</html>
`;
}

/**
 * A chart's SVG inside a figure.
 *
 * @example
 * ```ts
 * figure(svg, 'Per-probe losses'); // '<figure aria-label="Per-probe losses"><svg ...</figure>'
 * ```
 */
export function figure(svg: string, label: string): string {
  return `<figure aria-label="${escapeHtml(label)}">${svg}</figure>`;
}

/**
 * A note in place of a chart that cannot be drawn, saying why.
 *
 * @example
 * ```ts
 * missing('The analysis has no eigenvectors.'); // '<p class="missing">The analysis has no eigenvectors.</p>'
 * ```
 */
export function missing(text: string): string {
  return `<p class="missing">${escapeHtml(text)}</p>`;
}

/**
 * A two-column key/value table; keys are escaped, values are trusted HTML.
 *
 * @example
 * ```ts
 * keyValueTable([['Probes n', '60']]); // '<table class="kv">\n<tr><th scope="row">Probes n</th><td>60</td></tr>\n</table>'
 * ```
 */
export function keyValueTable(rows: readonly (readonly [string, string])[]): string {
  const body = rows.map(([k, v]) => `<tr><th scope="row">${escapeHtml(k)}</th><td>${v}</td></tr>`).join('\n');
  return `<table class="kv">\n${body}\n</table>`;
}
