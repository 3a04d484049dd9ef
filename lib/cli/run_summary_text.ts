// The short human summary `rdm2 analyze` prints.
import type { FileAnalysis } from '../io/analyze_file.js';
import type { BaselineVerdict, RunSummary, WindowPoint } from '../stats/index.js';
import { baselineText } from '../stats/warnings.js';

/** A number for people: integers as they are, others to 4 significant digits. */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (Number.isInteger(x)) return String(x);
  return String(Number(x.toPrecision(4)));
}

function where(window: number, checkpoint: number, step: number, steps: boolean): string {
  return `window ${window} (checkpoint ${checkpoint}${steps ? `, step ${formatNumber(step)}` : ''})`;
}

function point(p: WindowPoint, steps: boolean): string {
  return `${formatNumber(p.value)} at ${where(p.window, p.checkpoint, p.step, steps)}`;
}

/** The lines of the summary. */
export function summaryLines(fa: FileAnalysis, s: RunSummary, out: string | undefined, baselines?: BaselineVerdict): string[] {
  const a = fa.analysis;
  const o = a.options;
  const steps = fa.meta.steps !== undefined;
  const lines: string[] = [`rdm2 analyze: ${fa.input.path}`];
  const shape = `[${fa.input.shape.join(', ')}]`;
  lines.push(`  input        ${shape} ${fa.input.dtype} .${fa.input.format}${fa.input.sha256 ? `, sha256 ${fa.input.sha256}` : ''}`);
  const opts =
    fa.input.variant === 'gaussian'
      ? `Gaussian 2RDM per checkpoint (K = ${o.window} samples)`
      : `window ${o.window}, stride ${o.stride}, detrend ${o.detrend}`;
  lines.push(`  analysis     ${opts}, transform ${o.transform}, beta ${formatNumber(o.beta)}, top-k ${o.topK}: ${a.windows} windows, ${s.degenerateWindows} degenerate`);
  if (fa.auto) {
    lines.push(`  auto window  ${fa.auto.windowReason}`);
    lines.push(`  transform    ${fa.auto.transformReason}`);
  }
  if (fa.transformProposal) lines.push(`  note         log transform proposed: ${fa.transformProposal}; use --transform log (or auto)`);
  lines.push(`  SHC peak     ${s.shcPeak ? point(s.shcPeak, steps) : 'none (every window is degenerate)'}`);
  lines.push(`  PR minimum   ${s.prMin ? point(s.prMin, steps) : 'none (every window is degenerate)'}`);
  const w = s.warningOptions;
  const rule = `baseline ${baselineText(w)}, z > ${formatNumber(w.z)}, ${w.consecutive} in a row`;
  if (s.firstWarning) {
    const f = s.firstWarning;
    lines.push(`  warnings     ${s.warningCount} (${rule}); first at ${where(f.window, f.checkpoint, f.step, steps)}, z = ${formatNumber(f.z)}`);
  } else {
    lines.push(`  warnings     none (${rule})`);
  }
  if (s.transitions && s.transitions.length > 1) {
    for (const t of s.transitions) {
      const at = steps ? `step ${formatNumber(t.step)} (checkpoint ${t.checkpoint})` : `checkpoint ${t.checkpoint}`;
      const lead =
        t.leadSteps === null
          ? 'no warning after the previous transition'
          : `lead time ${steps ? `${formatNumber(t.leadSteps)} steps (${t.leadCheckpoints} checkpoints)` : `${t.leadCheckpoints} checkpoints`}${t.leadSteps < 0 ? ' (late)' : ''}`;
      lines.push(`  transition   ${t.label}: ${at}: ${lead}`);
    }
  } else if (s.transition) {
    const t = s.transition;
    const lead =
      s.leadSteps === null
        ? 'no warning before it'
        : `lead time ${steps ? `${formatNumber(s.leadSteps)} steps (${s.leadCheckpoints} checkpoints)` : `${s.leadCheckpoints} checkpoints`}${s.leadSteps < 0 ? ', i.e. the first warning came after it' : ''}`;
    lines.push(`  transition   ${steps ? `step ${formatNumber(t.step)} (checkpoint ${t.checkpoint})` : `checkpoint ${t.checkpoint}`}: ${lead}`);
  }
  if (baselines) lines.push(`  baselines    ${baselines.text}`);
  if (s.blockEnergy) {
    const parts = Object.entries(s.blockEnergy).map(([g, e]) => `${g} ${formatNumber(e)}`);
    lines.push(`  block energy top eigenvector at the SHC peak: ${parts.join(', ')}`);
  }
  if (out) lines.push(`  result       ${out}`);
  return lines;
}
