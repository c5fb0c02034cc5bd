/**
 * What the calibration's standalone SVG plots share (calibration-svg.ts, informed-svg.ts,
 * informed-comparison-svg.ts): the head of the document, tick values and a point with its error bar.
 * Hand-written SVG rather than a plotting library: three small static plots, no browser, and the
 * files stay diffable text next to the JSON they are drawn from.
 */

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The document's opening: the element, a white page, the title in bold and a grey subtitle under it. */
export function svgHead(
  size: { width: number; height: number },
  left: number,
  title: string,
  subtitle: string,
  subtitleY: number,
): string[] {
  const { width, height } = size;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${left}" y="22" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
    `<text x="${left}" y="${subtitleY}" fill="#555">${escapeXml(subtitle)}</text>`,
  ];
}

/** Axis values every `step` from the first multiple at or above `lo` up to `hi`. */
export function ticks(lo: number, hi: number, step: number): number[] {
  const out: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + 1e-9; t += step) out.push(t);
  return out;
}

/** A value at (cx, y(value)) with a bar from y(value − half) to y(value + half); `label` shows on hover. */
export function errorBar(
  cx: number,
  y: (v: number) => number,
  point: { value: number; half: number; color: string; r?: number; label?: string },
): string[] {
  const { value, half, color, r = 3, label } = point;
  const circle = `<circle cx="${cx}" cy="${y(value)}" r="${r}" fill="${color}"`;
  return [
    `<line x1="${cx}" y1="${y(value - half)}" x2="${cx}" y2="${y(value + half)}" stroke="${color}"/>`,
    label === undefined ? `${circle}/>` : `${circle}><title>${escapeXml(label)}</title></circle>`,
  ];
}
