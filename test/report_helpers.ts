// Helpers of the report tests: a strict HTML well-formedness check, SVG mark counting, a PNG decoder.
import { inflateSync } from 'node:zlib';

const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);
const TAG = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[^\s=>/"']+(?:\s*=\s*(?:"[^"]*"|'[^']*'))?)*)\s*(\/?)>/y;

/** A parsed element: tag name, attributes and children. */
export interface Element {
  tag: string;
  attrs: Record<string, string>;
  children: Element[];
}

function parseAttrs(text: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  for (const m of text.matchAll(/([^\s=>/"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'))?/g)) attrs[m[1]] = m[2] ?? m[3] ?? '';
  return attrs;
}

/**
 * Parses HTML with embedded SVG strictly: every tag well formed with quoted attributes, every
 * non-void element closed in order, no stray `<` in text, one DOCTYPE first. Throws on the
 * first problem, with its offset. Returns the root element (`#document`).
 */
export function parseStrictHtml(html: string): Element {
  let i = 0;
  const doctype = /^<!DOCTYPE html>\s*/i.exec(html);
  if (!doctype) throw new Error('no <!DOCTYPE html> at the start');
  i = doctype[0].length;
  const root: Element = { tag: '#document', attrs: {}, children: [] };
  const stack: Element[] = [root];
  while (i < html.length) {
    const lt = html.indexOf('<', i);
    if (lt < 0) break;
    if (html.startsWith('<!--', lt)) {
      const end = html.indexOf('-->', lt);
      if (end < 0) throw new Error(`unclosed comment at ${lt}`);
      i = end + 3;
      continue;
    }
    TAG.lastIndex = lt;
    const m = TAG.exec(html);
    if (!m) throw new Error(`malformed tag at ${lt}: ${JSON.stringify(html.slice(lt, lt + 80))}`);
    const [, closing, rawName, attrText, selfClosing] = m;
    const name = rawName.toLowerCase();
    i = TAG.lastIndex;
    const top = stack[stack.length - 1];
    if (closing) {
      if (top.tag !== name) throw new Error(`</${name}> at ${lt} closes <${top.tag}>`);
      stack.pop();
      continue;
    }
    const el: Element = { tag: name, attrs: parseAttrs(attrText), children: [] };
    top.children.push(el);
    if (name === 'style' || name === 'script') {
      const end = html.indexOf(`</${name}>`, i);
      if (end < 0) throw new Error(`unclosed <${name}> at ${lt}`);
      i = end + name.length + 3;
      continue;
    }
    if (!selfClosing && !VOID.has(name)) stack.push(el);
  }
  if (stack.length !== 1) throw new Error(`unclosed elements: ${stack.slice(1).map((e) => e.tag).join(' > ')}`);
  return root;
}

/** Every element of a tree, depth first. */
export function allElements(root: Element): Element[] {
  const out: Element[] = [];
  const walk = (e: Element) => {
    for (const c of e.children) {
      out.push(c);
      walk(c);
    }
  };
  walk(root);
  return out;
}

/**
 * Number of items Vega drew for the mark named `name` (the `<name>_marks` groups): a line mark
 * draws one group per series with one path each; other marks one group with one child per item.
 */
export function countMarks(svg: string, name: string): number {
  let count = 0;
  const open = new RegExp(`<g class="mark-(\\w+) role-mark ${name}_marks"[^>]*>`, 'g');
  for (const m of svg.matchAll(open)) {
    const start = m.index + m[0].length;
    const end = svg.indexOf('</g>', start);
    const body = svg.slice(start, end);
    count += (body.match(/<(path|line|text)\b/g) ?? []).length;
  }
  return count;
}

/** A decoded PNG: 8-bit RGBA pixels. */
export interface Png {
  width: number;
  height: number;
  rgba: Uint8Array;
}

/**
 * Decodes an 8-bit, non-interlaced PNG (greyscale, RGB or RGBA, with or without alpha) with
 * node:zlib: the concatenated IDAT chunks are inflated and each scanline is unfiltered.
 */
export function decodePng(buf: Buffer): Png {
  const signature = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);
  if (!buf.subarray(0, 8).equals(signature)) throw new Error('not a PNG');
  let pos = 8;
  let width = 0, height = 0, bitDepth = 0, colorType = 0, interlace = 0;
  const idat: Buffer[] = [];
  while (pos < buf.length) {
    const len = buf.readUInt32BE(pos);
    const type = buf.toString('latin1', pos + 4, pos + 8);
    const data = buf.subarray(pos + 8, pos + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      bitDepth = data[8];
      colorType = data[9];
      interlace = data[12];
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    pos += 12 + len;
  }
  const channels = ({ 0: 1, 2: 3, 4: 2, 6: 4 } as Record<number, number>)[colorType];
  if (bitDepth !== 8 || channels === undefined || interlace !== 0) {
    throw new Error(`unsupported PNG: bit depth ${bitDepth}, colour type ${colorType}, interlace ${interlace}`);
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const pixels = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const out = pixels.subarray(y * stride, (y + 1) * stride);
    const prev = y > 0 ? pixels.subarray((y - 1) * stride, y * stride) : new Uint8Array(stride);
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? out[x - channels] : 0;
      const b = prev[x];
      const c = x >= channels ? prev[x - channels] : 0;
      let v = line[x];
      if (filter === 1) v += a;
      else if (filter === 2) v += b;
      else if (filter === 3) v += (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
        v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      } else if (filter !== 0) throw new Error(`bad PNG filter ${filter} on row ${y}`);
      out[x] = v & 255;
    }
  }
  const rgba = new Uint8Array(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    const s = pixels.subarray(p * channels, (p + 1) * channels);
    if (channels === 1 || channels === 2) rgba.set([s[0], s[0], s[0], channels === 2 ? s[1] : 255], p * 4);
    else rgba.set([s[0], s[1], s[2], channels === 4 ? s[3] : 255], p * 4);
  }
  return { width, height, rgba };
}

/** Variance of the pixels' luminance (0..255 scale): 0 for a blank image. */
export function luminanceVariance(png: Png): number {
  const n = png.width * png.height;
  let sum = 0, sum2 = 0;
  for (let p = 0; p < n; p++) {
    const y = 0.2126 * png.rgba[p * 4] + 0.7152 * png.rgba[p * 4 + 1] + 0.0722 * png.rgba[p * 4 + 2];
    sum += y;
    sum2 += y * y;
  }
  const mean = sum / n;
  return sum2 / n - mean * mean;
}
