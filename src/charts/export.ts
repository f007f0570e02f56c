/**
 * A drawn chart as a file: one standalone SVG (title, legend and plot, on white, colours resolved) and a PNG
 * drawn from it at twice the size. Plot's legends and titles are HTML beside the SVG, so the figure is copied
 * as laid out on screen: each SVG in place, each run of HTML text as SVG text at its position.
 */

const SVG_NS = 'http://www.w3.org/2000/svg';
const PADDING = 12;
const PAINT = ['fill', 'stroke', 'color', 'stop-color'] as const;

/** The figure in `root` (Plot's <svg> or <figure>) as one SVG document, with `title` above it. */
export function chartSvg(root: Element, title = ''): string {
  const doc = root.ownerDocument;
  const box = root.getBoundingClientRect();
  const rootStyle = getComputedStyle(root);
  const titleSize = 15;
  const top = PADDING + (title ? titleSize * 1.6 : 0);
  const width = Math.ceil(box.width + 2 * PADDING);
  const height = Math.ceil(box.height + top + PADDING);

  const out = doc.createElementNS(SVG_NS, 'svg');
  out.setAttribute('xmlns', SVG_NS);
  out.setAttribute('width', String(width));
  out.setAttribute('height', String(height));
  out.setAttribute('viewBox', `0 0 ${width} ${height}`);
  out.setAttribute('font-family', rootStyle.fontFamily);
  out.setAttribute('font-size', rootStyle.fontSize);
  const background = doc.createElementNS(SVG_NS, 'rect');
  for (const [k, v] of Object.entries({ width: '100%', height: '100%', fill: 'white' })) background.setAttribute(k, v);
  out.append(background);
  if (title) out.append(text(doc, title, PADDING, PADDING + titleSize, { size: titleSize, weight: '600', color: '#1a1a1a' }));

  const place = (x: number, y: number) => ({ x: x - box.left + PADDING, y: y - box.top + top });
  const svgs = root instanceof SVGSVGElement ? [root] : [...root.querySelectorAll('svg')].filter((s) => !s.parentElement?.closest('svg'));
  for (const svg of svgs) {
    const r = svg.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    const copy = svg.cloneNode(true) as SVGSVGElement;
    resolvePaint(svg, copy);
    const at = place(r.left, r.top);
    copy.setAttribute('x', String(at.x));
    copy.setAttribute('y', String(at.y));
    copy.setAttribute('width', String(r.width));
    copy.setAttribute('height', String(r.height));
    out.append(copy);
  }
  if (!(root instanceof SVGSVGElement)) {
    const walker = doc.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      const value = node.textContent?.trim();
      if (!parent || !value || parent.closest('svg')) continue;
      const range = doc.createRange();
      range.selectNodeContents(node);
      const r = range.getBoundingClientRect();
      if (r.width === 0) continue;
      const style = getComputedStyle(parent);
      const size = parseFloat(style.fontSize);
      const at = place(r.left, r.bottom - size * 0.25);
      out.append(text(doc, value, at.x, at.y, { size, weight: style.fontWeight, color: style.color }));
    }
  }
  return new XMLSerializer().serializeToString(out);
}

/** The SVG drawn on white at `scale` times its size, as PNG. */
export async function svgToPng(svg: string, scale = 2): Promise<Blob> {
  const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
  try {
    const image = new Image();
    image.src = url;
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = Math.ceil(image.naturalWidth * scale);
    canvas.height = Math.ceil(image.naturalHeight * scale);
    const ctx = canvas.getContext('2d')!;
    ctx.fillStyle = 'white';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(image, 0, 0, canvas.width, canvas.height);
    return await new Promise<Blob>((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('PNG encoding failed'))), 'image/png'));
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** A file name from a chart's title: its words, without characters file systems refuse. */
export function chartFileName(title: string, ext: 'svg' | 'png'): string {
  const base = title.replace(/[\\/:*?"<>|\s]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80) || 'chart';
  return `${base}.${ext}`;
}

function text(doc: Document, value: string, x: number, y: number, style: { size: number; weight: string; color: string }): SVGTextElement {
  const el = doc.createElementNS(SVG_NS, 'text');
  el.setAttribute('x', x.toFixed(1));
  el.setAttribute('y', y.toFixed(1));
  el.setAttribute('font-size', String(style.size));
  if (style.weight !== '400' && style.weight !== 'normal') el.setAttribute('font-weight', style.weight);
  el.setAttribute('fill', style.color);
  el.textContent = value;
  return el;
}

/** CSS variables and inherited colours mean nothing outside the page: write each element's computed paint. */
function resolvePaint(live: Element, copy: Element): void {
  const from = [live, ...live.querySelectorAll('*')];
  const to = [copy, ...copy.querySelectorAll('*')];
  from.forEach((el, i) => {
    const target = to[i];
    if (!target) return;
    for (const prop of PAINT) {
      const attr = el.getAttribute(prop);
      if (attr && /var\(|currentcolor/i.test(attr)) target.setAttribute(prop, getComputedStyle(el).getPropertyValue(prop));
    }
    const inline = el.getAttribute('style');
    if (inline && /var\(/.test(inline)) {
      const computed = getComputedStyle(el);
      target.setAttribute('style', inline.replace(/([\w-]+)\s*:\s*[^;]*var\([^;]*/g, (_, prop: string) => `${prop}: ${computed.getPropertyValue(prop)}`));
    }
  });
}
