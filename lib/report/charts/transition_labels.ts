// Where the labels of several transitions go: each on the side of its rule with room for it, and
// on a lower row when it would overlap a label already placed, so close transitions stay legible.
import { textWidth } from '../text_width.js';

/** A placed label: its side of the rule and its row (0 = the first line). */
export interface PlacedLabel {
  step: number;
  label: string;
  align: 'left' | 'right';
  row: number;
}

/**
 * Places one label per transition along an axis `width` pixels wide over `xDomain`: right of its
 * rule when it fits there (else left), on the first row where it overlaps no label placed before.
 *
 * @example
 * ```ts
 * placeLabels([{ step: 10, label: 'mode 1' }, { step: 11, label: 'mode 2' }], [0, 100], 600, 11);
 * // [{ ..., align: 'left'?, row: 0 }, { ..., row: 1 }]
 * ```
 */
export function placeLabels(items: readonly { step: number; label: string }[], xDomain: readonly [number, number], width: number, fontSize: number): PlacedLabel[] {
  const taken: { from: number; to: number; row: number }[] = [];
  return items.map((t) => {
    const px = ((t.step - xDomain[0]) / (xDomain[1] - xDomain[0] || 1)) * width;
    const w = Math.max(...t.label.split('\n').map((line) => textWidth(line, fontSize, true))) + 4;
    const fitsRight = px + w <= width;
    const fitsLeft = px - w >= 0;
    const right = fitsRight || (!fitsLeft && width - px >= px);
    const from = right ? px : px - w;
    const to = right ? px + w : px;
    let row = 0;
    while (taken.some((s) => s.row === row && s.from < to && from < s.to)) row++;
    taken.push({ from, to, row });
    return { step: t.step, label: t.label, align: right ? 'left' : 'right', row };
  });
}
