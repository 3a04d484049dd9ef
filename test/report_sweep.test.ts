// The sweep report's structure: lead-time chart marks, the aggregate table, links and failures.
import { describe, expect, it } from 'vitest';
import { aggregate, buildSweepReport, defaultRunGroup, renderSweepReport, type SweepRunRecord } from '../lib/index.js';
import { allElements, countMarks, parseStrictHtml } from './report_helpers.js';
import { expectReject } from './helpers.js';

type Rec = SweepRunRecord & Record<string, unknown>;

function run(path: string, leadSteps: number | null, extra: Record<string, unknown> = {}): Rec {
  return {
    path,
    status: 'ok',
    error: null,
    shcPeak: { window: 10, checkpoint: 29, step: 290, value: 1.5 },
    firstWarning: leadSteps === null ? null : { window: 8, checkpoint: 27, step: 300 - leadSteps, value: 1.2, z: 7 },
    leadSteps,
    leadCheckpoints: leadSteps === null ? null : leadSteps / 10,
    blockEnergy: { A: 0.05, B: 0.9, C: 0.05 },
    ...extra,
  };
}

// Two groups by directory: 'wide' (3 runs, all warned) and 'narrow' (3 runs, one without a warning),
// and two failed runs.
const records: Rec[] = [
  run('wide/seed=1/losses.npy', 40, { lr: 0.1 }),
  run('wide/seed=2/losses.npy', 60, { lr: 0.1 }),
  run('wide/seed=3/losses.npy', 50, { lr: 0.3 }),
  run('narrow/seed=1/losses.npy', 10, { lr: 0.1 }),
  run('narrow/seed=2/losses.npy', -20, { lr: 0.3 }),
  run('narrow/seed=3/losses.npy', null, { lr: 0.3 }),
  { path: 'narrow/seed=4/losses.npy', status: 'failed', error: 'losses.npy: truncated at byte 128 <expected 4096>' },
  { path: 'wide/seed=4/losses.csv', status: 'failed', error: 'row 7 has 3 values, expected 4' },
];

describe('renderSweepReport', async () => {
  const built = await buildSweepReport(records, { reportHref: (r) => `reports/${r.path}.html`, source: 'out/summary.json', seed: 3 });

  it('aggregates lead time per group of runs (by the parent directory by default), as aggregate() does', () => {
    const t = built.table!;
    expect(t.key).toEqual(['wide', 'narrow']);
    expect(Array.from(t.runs)).toEqual([3, 3]);
    expect(Array.from(t.used)).toEqual([3, 2]);
    expect(Array.from(t.mean)).toEqual([50, -5]);
    const ref = aggregate(records.filter((r) => r.status === 'ok'), (r) => defaultRunGroup(r.path), { value: (r) => r.leadSteps as number | null, seed: 3 });
    expect(Array.from(t.ciLow)).toEqual(Array.from(ref.ciLow));
    expect(Array.from(t.ciHigh)).toEqual(Array.from(ref.ciHigh));
  });

  it('draws one tick per run with a lead time, and a mean and interval per group', () => {
    const svg = built.charts[0].svg;
    expect(built.charts.map((c) => c.id)).toEqual(['lead_times']);
    expect(countMarks(svg, 'lead_runs')).toBe(5);
    expect(countMarks(svg, 'lead_mean')).toBe(2);
    expect(countMarks(svg, 'lead_ci')).toBe(2);
    expect(countMarks(svg, 'lead_zero')).toBe(1);
    expect(svg).toContain('wide (3 of 3)');
    expect(svg).toContain('narrow (2 of 3)');
  });

  it('is well-formed HTML listing every run with a link to its report, and the failed runs with their errors', () => {
    const els = allElements(parseStrictHtml(built.html));
    expect(els.filter((e) => e.tag === 'section').map((e) => e.attrs.id)).toEqual(['overview', 'lead-times', 'curves', 'runs', 'failed']);
    const links = els.filter((e) => e.tag === 'a' && !e.attrs.href.startsWith('#')).map((e) => e.attrs.href);
    expect(links).toEqual(records.filter((r) => r.status === 'ok').map((r) => `reports/${r.path}.html`));
    const rows = els.filter((e) => e.tag === 'tr' && (e.attrs.class === 'ok' || e.attrs.class === 'failed'));
    expect(rows.map((e) => e.attrs.class)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'failed', 'failed']);
    const failed = els.filter((e) => e.tag === 'li');
    expect(failed).toHaveLength(2);
    expect(built.html).toContain('losses.npy: truncated at byte 128 &lt;expected 4096&gt;');
    expect(built.html).toContain('Failed runs (2)');
    expect(built.html).toContain('6 ok, 2 failed');
    expect(built.html).not.toMatch(/<script|<link|<img|\bsrc=/i);
  });

  it('groups by a record field when asked, and is deterministic', async () => {
    const byLr = await buildSweepReport(records, { by: 'lr' });
    expect(byLr.table!.key).toEqual(['0.1', '0.3']);
    expect(Array.from(byLr.table!.used)).toEqual([3, 2]);
    expect(await renderSweepReport(records, { reportHref: (r) => `reports/${r.path}.html`, source: 'out/summary.json', seed: 3 })).toBe(built.html);
  });

  it('reports a sweep where nothing succeeded, or nothing has a lead time, without a chart', async () => {
    const none = await buildSweepReport(records.filter((r) => r.status === 'failed'));
    expect(none.charts).toEqual([]);
    expect(none.table).toBeNull();
    expect(none.html).toContain('No run succeeded');
    const noLead = await buildSweepReport([run('a/b/l.npy', null)]);
    expect(noLead.charts).toEqual([]);
    expect(noLead.html).toContain('No run has a lead time');
  });

  it('defaultRunGroup is the parent of the run directory', () => {
    expect(defaultRunGroup('lr=0.1/seed=3/losses.npy')).toBe('lr=0.1');
    expect(defaultRunGroup('a/b/c/losses.npy')).toBe('a/b');
    expect(defaultRunGroup('seed=3/losses.npy')).toBe('all');
    expect(defaultRunGroup('losses.npy')).toBe('all');
  });

  it('rejects malformed records and options', async () => {
    await expectReject(renderSweepReport([]), 'ERR_RDM2_SHAPE', /no runs/);
    await expectReject(renderSweepReport([{ status: 'ok' } as never]), 'ERR_RDM2_OPTION', /runs\[0\]\.path must be a string/);
    await expectReject(renderSweepReport([{ path: 'x', status: 'done' } as never]), 'ERR_RDM2_OPTION', /status must be 'ok' or 'failed'/);
    await expectReject(renderSweepReport(records, { by: 'missing' }), 'ERR_RDM2_OPTION', /group key undefined in field 'missing'/);
    await expectReject(renderSweepReport(records, { colour: 1 } as never), 'ERR_RDM2_OPTION', /unknown sweep report option 'colour'/);
  });
});
