// Vega-Lite spec -> standalone SVG string, in Node, without a browser or canvas.
import type { TopLevelSpec } from 'vega-lite';
import { Rdm2Error } from '../errors.js';
import { vegaTextWidth } from './text_width.js';
import { loadVega } from './vega_modules.js';

/** Fonts and sizes shared by every chart: system sans-serif only, so nothing is fetched at view time. */
export const CHART_CONFIG = {
  font: 'sans-serif',
  background: 'white',
  title: { fontSize: 14, anchor: 'start', subtitleFontSize: 11, subtitleColor: '#555' },
  axis: { labelFontSize: 11, titleFontSize: 12, titlePadding: 6 },
  axisY: { minExtent: 48 },
  legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 220, symbolStrokeWidth: 2.5 },
  view: { stroke: '#ccc' },
  // No per-item aria labels: a heatmap would carry one per cell. Axes and legends keep theirs.
  mark: { aria: false },
} as const;

/**
 * Renders a Vega-Lite spec to an SVG string with Vega's headless 'none' renderer. Every `id`
 * in the output (clip paths, gradients) and every reference to one is renamed `<idPrefix>-<k>`
 * (see {@link prefixIds}), so several charts can be inlined in one HTML document without their
 * ids colliding, and the same spec always gives the same bytes.
 *
 * @param spec a Vega-Lite spec with inline data only (`data.values`); URLs are refused, so
 *   rendering never touches the network or the disk.
 * @param idPrefix letters, digits, `-` and `_` only.
 *
 * @example
 * ```ts
 * const svg = await renderSvg({ data: { values: [{ x: 1, y: 2 }] }, mark: 'point',
 *   encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } } }, 'demo');
 * svg.startsWith('<svg'); // true
 * ```
 */
export async function renderSvg(spec: TopLevelSpec, idPrefix: string): Promise<string> {
  if (!/^[A-Za-z][\w-]*$/.test(idPrefix)) {
    throw new Rdm2Error('ERR_RDM2_OPTION', `idPrefix must start with a letter and hold only letters, digits, '-' and '_', got ${JSON.stringify(idPrefix)}`);
  }
  rejectUrls(spec, 'spec');
  const { vega, vegaLite } = await loadVega();
  const full = { config: CHART_CONFIG, ...spec } as TopLevelSpec;
  const vgSpec = vegaLite.compile(full).spec;
  // Belt and braces: a loader that refuses every load (rejectUrls has already checked the spec).
  const loader = vega.loader();
  loader.load = async (uri: string) => {
    throw new Rdm2Error('ERR_RDM2_OPTION', `report charts must not load external resources (tried ${uri})`);
  };
  const view = new vega.View(vega.parse(vgSpec), { renderer: 'none', loader });
  useTextWidths(vega, +1);
  try {
    const svg = await view.toSVG();
    return prefixIds(roundCoordinates(svg), idPrefix);
  } finally {
    view.finalize();
    useTextWidths(vega, -1);
  }
}

type WidthFn = (item: object, text?: unknown) => number;
let rendering = 0;
let saved: WidthFn | undefined;

/**
 * Installs the report's text-width estimate in Vega (the `textMetrics.width` hook) while at least
 * one chart renders, and puts Vega's own back when the last one is done.
 */
function useTextWidths(vega: object, delta: 1 | -1): void {
  const metrics = (vega as { textMetrics?: { width: WidthFn } }).textMetrics;
  if (!metrics) return;
  if (delta === 1 && rendering++ === 0) {
    saved = metrics.width;
    metrics.width = vegaTextWidth as WidthFn;
  } else if (delta === -1 && --rendering === 0 && saved) {
    metrics.width = saved;
  }
}

/**
 * Renames every `id="x"` of an SVG string to `prefix-1`, `prefix-2`, ... in order of first
 * appearance, with every `url(#x)` and `href="#x"` reference to it. Vega numbers clip paths and
 * gradients with process-wide counters; renumbering makes the output independent of what was
 * rendered before, and unique per chart.
 *
 * @example
 * ```ts
 * prefixIds('<clipPath id="clip7"/><g clip-path="url(#clip7)"/>', 'losses');
 * // '<clipPath id="losses-1"/><g clip-path="url(#losses-1)"/>'
 * ```
 */
export function prefixIds(svg: string, prefix: string): string {
  const ids = new Map<string, string>();
  for (const m of svg.matchAll(/\bid="([^"]+)"/g)) if (!ids.has(m[1])) ids.set(m[1], `${prefix}-${ids.size + 1}`);
  const rename = (id: string) => ids.get(id) ?? id;
  return svg
    .replace(/\bid="([^"]+)"/g, (_m, id: string) => `id="${rename(id)}"`)
    .replace(/url\(#([^)]+)\)/g, (_m, id: string) => `url(#${rename(id)})`)
    .replace(/href="#([^"]+)"/g, (_m, id: string) => `href="#${rename(id)}"`);
}

/**
 * Rounds the long decimals Vega prints in path data and transforms to 2 places and writes
 * rgb() colours as hex (SVGs get much smaller; nothing moves by more than 0.005 px).
 *
 * @example
 * ```ts
 * roundCoordinates('<path d="M3.6666666,0h3.6666666" fill="rgb(245, 231, 224)"/>');
 * // '<path d="M3.67,0h3.67" fill="#f5e7e0"/>'
 * ```
 */
export function roundCoordinates(svg: string): string {
  const round = (text: string) => text.replace(/-?\d+\.\d{3,}(?:e[-+]?\d+)?/g, (num) => {
    const r = Number(Number(num).toFixed(2));
    return String(Object.is(r, -0) ? 0 : r);
  });
  const hex = (v: string) => Math.max(0, Math.min(255, Math.round(Number(v)))).toString(16).padStart(2, '0');
  return svg
    .replace(/"rgb\((\d+(?:\.\d+)?), ?(\d+(?:\.\d+)?), ?(\d+(?:\.\d+)?)\)"/g, (_m, r: string, g: string, b: string) => `"#${hex(r)}${hex(g)}${hex(b)}"`)
    .replace(/\bd="([^"]*)"/g, (_m, d: string) => `d="${round(d)}"`)
    .replace(/\btransform="([^"]*)"/g, (_m, t: string) => `transform="${round(t)}"`);
}

/** Throws if any `data` object of the spec names a `url`: charts carry their data inline. */
function rejectUrls(node: unknown, path: string): void {
  if (typeof node !== 'object' || node === null) return;
  if (Array.isArray(node)) {
    node.forEach((x, i) => rejectUrls(x, `${path}[${i}]`));
    return;
  }
  for (const [key, value] of Object.entries(node)) {
    if (key === 'values') continue; // inline data rows
    if (key === 'data' && typeof value === 'object' && value !== null && 'url' in value) {
      throw new Rdm2Error('ERR_RDM2_OPTION', `report charts must not load external resources (${path}.data.url = ${JSON.stringify((value as { url: unknown }).url)})`);
    }
    rejectUrls(value, `${path}.${key}`);
  }
}
