// The sensitivity chart: one cell per (window, detrend, transform) setting, coloured by the lead
// time of the first SHC warning (or its step when no transition is known).
import type { TopLevelSpec } from 'vega-lite';
import type { SensitivityTable } from '../../stats/sensitivity.js';
import { formatStep } from '../format.js';
import { wrapText } from '../text_width.js';

/** What {@link sensitivityChartSpec} draws. */
export interface SensitivityChartInput {
  table: SensitivityTable;
  subtitle: string;
  width: number;
}

/** The column label of a row of the table: its detrending and transform. */
export function settingLabel(table: SensitivityTable, r: number): string {
  return `detrend ${table.detrend[r]}, ${table.transform[r]} losses`;
}

/**
 * Vega-Lite spec of the sensitivity heatmap: a row per window size W, a column per (detrend,
 * transform), one cell per setting (`sens_cells`, grey; coloured by `sens_values` where there is
 * a value) with its value written in it (`sens_text`).
 * With a transition the value is the lead time of the first SHC warning in steps (blue: early,
 * red: late, centred on 0); without one, the step of the first warning. Settings where nothing
 * warned are grey and say "no warning".
 *
 * @example
 * ```ts
 * const spec = sensitivityChartSpec({ table: await sensitivity(losses, { windows: [10, 20] }), subtitle: '', width: 600 });
 * ```
 */
export function sensitivityChartSpec(input: SensitivityChartInput): TopLevelSpec {
  const t = input.table;
  const lead = t.transition !== null;
  const cells: { w: string; c: string; v: number | null; text: string }[] = [];
  for (let r = 0; r < t.rows; r++) {
    const v = lead ? t.leadSteps[r] : t.firstWarningStep[r];
    const finite = Number.isFinite(v);
    cells.push({
      w: `W = ${t.window[r]}`,
      c: settingLabel(t, r),
      v: finite ? v : null,
      text: finite ? (lead ? `${v > 0 ? '+' : ''}${formatStep(v)}` : formatStep(v)) : 'no warning',
    });
  }
  const rows = [...new Set(cells.map((c) => c.w))];
  const cols = [...new Set(cells.map((c) => c.c))];
  let m = 0;
  for (const c of cells) if (c.v !== null) m = Math.max(m, Math.abs(c.v));
  const cellWidth = Math.max(90, Math.min(200, Math.floor((input.width - 140) / Math.max(1, cols.length))));
  const x = { field: 'c', type: 'nominal' as const, title: null, sort: cols, axis: { orient: 'top', labelAngle: 0, labelLimit: cellWidth - 6 } };
  const y = { field: 'w', type: 'nominal' as const, title: 'window', sort: rows };
  const scale = lead ? { scheme: 'redblue', domain: [-(m || 1), m || 1], domainMid: 0 } : { scheme: 'blues', reverse: true };
  return {
    title: { text: lead ? 'Lead time of the first SHC warning per setting' : 'First SHC warning per setting', subtitle: wrapText(input.subtitle, 11, input.width) },
    width: cellWidth * cols.length,
    height: 34 * rows.length,
    layer: [
      {
        // Every setting's cell, grey; the coloured layer covers the ones with a value.
        name: 'sens_cells',
        data: { values: cells },
        mark: { type: 'rect', stroke: 'white', strokeWidth: 2, color: '#d9d9d9' },
        encoding: { x, y },
      },
      {
        name: 'sens_values',
        data: { values: cells.filter((c) => c.v !== null) },
        mark: { type: 'rect', stroke: 'white', strokeWidth: 2 },
        encoding: {
          x,
          y,
          color: { field: 'v', type: 'quantitative', title: lead ? 'lead (steps)' : 'first warning (step)', scale, legend: { orient: 'right' } },
        },
      },
      {
        name: 'sens_text',
        data: { values: cells },
        mark: { type: 'text', fontSize: 12, fontWeight: 'bold' },
        encoding: {
          x,
          y,
          text: { field: 'text' },
          // White on the darkest cells (large |lead|), dark elsewhere.
          color: lead ? { condition: { test: `datum.v !== null && abs(datum.v) > ${0.55 * (m || 1)}`, value: 'white' }, value: '#1d232b' } : { value: '#1d232b' },
        },
      },
    ],
  } as TopLevelSpec;
}
