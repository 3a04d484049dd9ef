// The shipped recordings of the real settings (data/real, from `npm run record:real`): every run
// the manifest lists is there with its bytes and hash, reads as a loss file with steps, groups and
// transition, has at least 100 checkpoints before its transition, and its transition is what the
// setting's rule gives on the metric curves stored beside the losses. No torch needed.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readNpz } from '../lib/io/npz.js';
import { readLossFile } from '../lib/io/read_loss_file.js';

const dir = join(import.meta.dirname, '..', 'data', 'real');

interface ManifestRun {
  seed: number;
  file: string;
  checkpoints: number;
  probes: number;
  transition: number;
  checkpoints_before_transition: number;
  bytes: number;
  sha256: string;
  seconds: { wall: number; cpu: number };
}
interface Manifest {
  command: string;
  git_commit: string;
  git_dirty: boolean;
  versions: { torch: string };
  settings: Record<string, { size: string; seeds: number[]; transition_rule: string; rerun_of_seed0_identical: boolean; config: Record<string, number>; runs: ManifestRun[] }>;
}

const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;

const first = (steps: ArrayLike<number>, v: ArrayLike<number>, level: number): number | undefined => {
  for (let i = 0; i < v.length; i++) if (v[i]! >= level) return steps[i];
  return undefined;
};

// The rules of the scripts' docstrings, on the stored metric curves (and the expected groups).
const SETTINGS: Record<string, { groups: Record<string, number>; rule: (steps: Float64Array, m: (name: string) => Float64Array) => number | undefined }> = {
  grokking: { groups: { train: 64, test: 64 }, rule: (s, m) => first(s, m('test_accuracy'), 0.5) },
  induction_heads: {
    groups: { repeated: 64, random: 64 },
    rule: (s, m) => {
      const score = m('in_context_score');
      const tail = score.subarray(score.length - Math.max(1, Math.floor(score.length / 10)));
      return first(s, score, tail.reduce((a, b) => a + b, 0) / tail.length / 2);
    },
  },
  misalignment_analogue: { groups: { finetuned: 32, untouched: 96 }, rule: (s, m) => first(s, m('untouched_misalignment_rate'), 0.05) },
};

describe('data/real', () => {
  it('holds the three settings at full size on seeds 0-9, recorded by one command from a clean checkout', () => {
    expect(manifest.command).toBe('npm run record:real -- --seeds 10 --jobs 2 --settings grokking,induction_heads,misalignment_analogue');
    expect(manifest.git_dirty).toBe(false);
    expect(Object.keys(manifest.settings).sort()).toEqual(Object.keys(SETTINGS).sort());
    for (const [name, s] of Object.entries(manifest.settings)) {
      expect(s.size).toBe('full');
      expect(s.seeds).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(s.rerun_of_seed0_identical).toBe(true);
      expect(readdirSync(join(dir, name)).sort()).toEqual(s.runs.map((r) => `seed${r.seed}.npz`).sort());
    }
  });

  for (const [name, expected] of Object.entries(SETTINGS)) {
    it(`${name}: every run reads back with its manifest's numbers and its rule's transition, >= 100 checkpoints before it`, async () => {
      for (const run of manifest.settings[name]!.runs) {
        const path = join(dir, run.file);
        const bytes = readFileSync(path);
        expect(bytes.length).toBe(run.bytes);
        expect(createHash('sha256').update(bytes).digest('hex')).toBe(run.sha256);

        const f = await readLossFile(path);
        expect(f.losses.shape).toEqual([run.checkpoints, run.probes]);
        expect(f.losses.data).toBeInstanceOf(Float32Array);
        const steps = f.meta.steps!;
        expect(steps).toHaveLength(run.checkpoints);
        expect(f.meta.transition).toBe(run.transition);
        const counts: Record<string, number> = {};
        for (const g of f.meta.groups!) counts[g] = (counts[g] ?? 0) + 1;
        expect(counts).toEqual(expected.groups);
        const before = steps.filter((s) => s < run.transition).length;
        expect(before).toBe(run.checkpoints_before_transition);
        expect(before).toBeGreaterThanOrEqual(100);

        const arrays = await readNpz(path, (a) => a.startsWith('metric_'));
        const metric = (m: string) => {
          const a = arrays.get(`metric_${m}`);
          if (!a) throw new Error(`${path}: no metric_${m}`);
          return Float64Array.from(a.values as ArrayLike<number>);
        };
        for (const a of arrays.values()) expect(a.header.shape).toEqual([run.checkpoints]);
        expect(expected.rule(steps, metric)).toBe(run.transition);
      }
    });
  }
});
