// The PyTorch side end to end, with real torch (the python of scripts/python.mjs): the three
// real-setting scripts at smoke size through `npm run record:real`'s driver, their output read by
// `rdm2 analyze`, the transition rules recomputed here from the metric curves, the packed .npz
// files; and the Gaussian recorder's [T, K, n] file analysed by `rdm2 analyze` against numpy.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkTorchPython, torchPython } from '../scripts/python.mjs';
import { runCliProcess, tempDir } from './io_fixtures.js';

const root = join(import.meta.dirname, '..');

function run(command: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

interface RunMeta {
  setting: string;
  size: string;
  seed: number;
  steps: number[];
  groups: string[];
  metrics: Record<string, number[]>;
  transition?: number;
  transition_rule: string;
  config: Record<string, unknown>;
}

interface AnalysisJson {
  input: { shape: number[]; dtype: string; variant: string };
  windows: number;
  step: number[];
  trace: (number | null)[];
  pr: (number | null)[];
  groups?: string[];
  transition?: number;
  eigenvalues: number[][];
}

/** The first step whose value is >= level (each script's rule, written again here). */
function firstReaching(steps: number[], values: number[], level: number): number | undefined {
  const i = values.findIndex((v) => v >= level);
  return i < 0 ? undefined : steps[i];
}

const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;

const SETTINGS: Record<string, { groups: Record<string, number>; rule: (m: RunMeta) => number | undefined }> = {
  grokking: {
    groups: { train: 32, test: 32 },
    rule: (m) => firstReaching(m.steps, m.metrics.test_accuracy!, 0.5),
  },
  induction_heads: {
    groups: { repeated: 32, random: 32 },
    rule: (m) => {
      const s = m.metrics.in_context_score!;
      return firstReaching(m.steps, s, mean(s.slice(-Math.max(1, Math.floor(s.length / 10)))) / 2);
    },
  },
  misalignment_analogue: {
    groups: { finetuned: 16, untouched: 48 },
    rule: (m) => firstReaching(m.steps, m.metrics.untouched_misalignment_rate!, 0.05),
  },
};

describe('the python with torch', () => {
  it('imports torch, numpy and pytest (RDM2_PYTHON, else /usr/bin/python3)', () => {
    const c = checkTorchPython();
    expect(c.ok, c.ok ? '' : c.why).toBe(true);
  });
});

describe('real settings at smoke size (record:real --size smoke)', () => {
  const dir = tempDir('rdm2-real-');
  const work = join(dir, 'work');
  const data = join(dir, 'data');
  let driver: { code: number | null; stdout: string; stderr: string };

  beforeAll(async () => {
    driver = await run(process.execPath, ['scripts/record_real.mjs', '--size', 'smoke', '--seeds', '1', '--jobs', '2', '--work', work, '--out', data]);
  });

  it('records every setting, reruns seed 0 and writes the manifest', () => {
    expect(driver.code, driver.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(join(data, 'manifest.json'), 'utf8'));
    expect(manifest.command).toBe('npm run record:real -- --seeds 1 --jobs 2 --settings grokking,induction_heads,misalignment_analogue --size smoke');
    expect(manifest.versions.torch).toMatch(/^\d+\.\d+/);
    expect(manifest.git_commit).toMatch(/^[0-9a-f]{40}$/);
    expect(Object.keys(manifest.settings)).toEqual(Object.keys(SETTINGS));
    for (const s of Object.values(manifest.settings) as { seeds: number[]; rerun_of_seed0_identical: boolean; runs: { file: string; bytes: number }[] }[]) {
      expect(s.seeds).toEqual([0]);
      // one thread, fixed seeds, deterministic kernels: a rerun on the same machine gives the same bytes
      expect(s.rerun_of_seed0_identical).toBe(true);
      expect(s.runs[0]!.bytes).toBe(readFileSync(join(data, s.runs[0]!.file)).length);
    }
  });

  for (const [setting, expected] of Object.entries(SETTINGS)) {
    it(`${setting}: losses.npy + meta.json, analysed by rdm2 analyze; the rule found a transition`, async () => {
      expect(driver.code, driver.stderr).toBe(0);
      const runDir = join(work, setting, 'seed0');
      const meta = JSON.parse(readFileSync(join(runDir, 'meta.json'), 'utf8')) as RunMeta;
      const T = meta.steps.length;
      const n = meta.groups.length;
      expect([meta.setting, meta.size, meta.seed]).toEqual([setting, 'smoke', 0]);
      expect(T).toBeGreaterThan(20);
      for (let i = 1; i < T; i++) expect(meta.steps[i]!).toBeGreaterThan(meta.steps[i - 1]!);
      const counts: Record<string, number> = {};
      for (const g of meta.groups) counts[g] = (counts[g] ?? 0) + 1;
      expect(counts).toEqual(expected.groups);
      for (const values of Object.values(meta.metrics)) expect(values).toHaveLength(T);
      expect(meta.transition_rule.length).toBeGreaterThan(20);
      // the transition is there, it is a recorded step, and it is what the stated rule gives
      expect(meta.transition).toBeDefined();
      expect(meta.steps).toContain(meta.transition);
      expect(meta.transition).toBe(expected.rule(meta));
      expect(meta.transition).toBeGreaterThan(meta.steps[0]!);

      const W = 10;
      const out = join(dir, `${setting}.json`);
      const cli = await runCliProcess(['analyze', join(runDir, 'losses.npy'), '--window', String(W), '--top-k', '1', '--out', out]);
      expect(cli.code, cli.stderr).toBe(0);
      expect(cli.stdout).toMatch(/SHC/);
      const a = JSON.parse(readFileSync(out, 'utf8')) as AnalysisJson;
      expect(a.input.shape).toEqual([T, n]);
      expect(a.input.dtype).toBe('float32');
      expect(a.windows).toBe(T - W + 1);
      expect(a.step).toEqual(meta.steps.slice(W - 1));
      expect(a.groups).toEqual(meta.groups);
      expect(a.transition).toBe(meta.transition);
      expect(a.trace.every((v) => v !== null && v > 0)).toBe(true);

      // the shipped form: the same losses packed into one .npz with steps, groups and transition
      const packed = join(dir, `${setting}-npz.json`);
      const cli2 = await runCliProcess(['analyze', join(data, setting, 'seed0.npz'), '--window', String(W), '--top-k', '1', '--out', packed]);
      expect(cli2.code, cli2.stderr).toBe(0);
      const b = JSON.parse(readFileSync(packed, 'utf8')) as AnalysisJson;
      expect(b.input.shape).toEqual([T, n]);
      expect([b.step, b.groups, b.transition]).toEqual([a.step, a.groups, a.transition]);
      expect(b.trace).toEqual(a.trace);
      expect(b.eigenvalues).toEqual(a.eigenvalues);
    });
  }
});

describe('GaussianRecorder output read by rdm2 analyze', () => {
  it('one Gaussian 2RDM per checkpoint: trace and PR equal numpy on the same [T, K, n] file', async () => {
    const dir = tempDir('rdm2-gauss-');
    const script = join(dir, 'record.py');
    writeFileSync(
      script,
      `import json, sys
sys.path.insert(0, ${JSON.stringify(join(root, 'examples', 'pytorch'))})
import numpy as np, torch
from rdm2_recorder import GaussianRecorder
torch.manual_seed(0)
model = torch.nn.Sequential(torch.nn.Linear(6, 16), torch.nn.Tanh(), torch.nn.Linear(16, 4))
x, y = torch.randn(12, 6), torch.randint(0, 4, (12,))
rec = GaussianRecorder(model, x, y, sigma=0.05, K=40, groups=["a"] * 6 + ["b"] * 6, scale="per_tensor")
for step in (0, 100, 200):
    rec.record(step)
    with torch.no_grad():
        model[0].weight.mul_(1.5)
rec.save(sys.argv[1])
blocks = np.load(sys.argv[1] + "/losses.npy")
out = []
for b in blocks:
    ev = np.clip(np.linalg.eigvalsh(np.cov(b, rowvar=False, ddof=1)), 0, None)
    out.append({"trace": float(ev.sum()), "pr": float(ev.sum() ** 2 / (ev ** 2).sum())})
json.dump(out, open(sys.argv[1] + "/expected.json", "w"))
`,
    );
    const py = await run(torchPython(), [script, dir]);
    expect(py.code, py.stderr).toBe(0);
    const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as { trace: number; pr: number }[];
    const cli = await runCliProcess(['analyze', join(dir, 'losses.npy'), '--top-k', '1', '--json']);
    expect(cli.code, cli.stderr).toBe(0);
    const a = JSON.parse(cli.stdout) as AnalysisJson;
    expect(a.input.shape).toEqual([3, 40, 12]);
    expect(a.input.variant).toBe('gaussian');
    expect(a.step).toEqual([0, 100, 200]);
    expect(a.groups).toEqual([...Array(6).fill('a'), ...Array(6).fill('b')]);
    for (let t = 0; t < 3; t++) {
      // numpy's eigvalsh keeps round-off eigenvalues that rdm2 drops (< 1e-10 of the largest): PR agrees to 1e-9
      expect(Math.abs(a.trace[t]! - expected[t]!.trace)).toBeLessThan(1e-12 * expected[t]!.trace);
      expect(Math.abs(a.pr[t]! - expected[t]!.pr)).toBeLessThan(1e-9 * expected[t]!.pr);
    }
  });
});
