// The one option validator (lib/option_schema.ts): messages, defaults, own properties only.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { analyze, analyzeSync } from '../lib/analyze.js';
import { ANALYSIS_FLAGS, analysisOptionsFrom } from '../lib/cli/analysis_options.js';
import { buildProgram } from '../lib/cli/main.js';
import { flagDefault, flagOf } from '../lib/cli/schema_flags.js';
import { DEMO_OPTIONS } from '../lib/demo/run_demo.js';
import { analyzeFile } from '../lib/io/analyze_file.js';
import { ANALYZE_FILE_OPTIONS } from '../lib/io/analyze_file_options.js';
import { SWEEP_OPTIONS } from '../lib/sweep/runner.js';
import { SpectralMonitor } from '../lib/monitor.js';
import { defineOptions, resolveOptions, type OptionSpec } from '../lib/option_schema.js';
import { ANALYZE_OPTIONS } from '../lib/options.js';
import { DEFAULT_MIN_BASELINE, DEFAULT_WARNING_OPTIONS, WARNING_OPTIONS } from '../lib/stats/warnings.js';
import { expectError, randomMatrix } from './helpers.js';
import { tempDir, writeNpy } from './io_fixtures.js';
import { rng } from '../bench/reference/naive.js';

const schema = defineOptions('demo', {
  count: { type: 'integer', min: 1, max: 10, default: 3, doc: 'how many' },
  low: { type: 'integer', min: 2, doc: 'at least two' },
  scale: { type: 'number', min: 0, exclusiveMin: true, default: 1, doc: 'a scale' },
  mode: { type: 'enum', values: ['a', 'b'], default: 'a', doc: 'the mode' },
  flag: { type: 'boolean', default: false, doc: 'a flag' },
  seed: { type: 'seed', default: 0, doc: 'the seed' },
  name: { type: 'string', nonEmpty: true, doc: 'a name' },
  need: { type: 'integer', required: true, note: 'the one required', doc: 'required' },
});

describe('resolveOptions', () => {
  it('fills defaults, keeps given values, leaves optional ones without a default undefined', () => {
    expect(resolveOptions(schema, { need: 7, mode: 'b' })).toEqual({
      count: 3, low: undefined, scale: 1, mode: 'b', flag: false, seed: 0, name: undefined, need: 7,
    });
  });

  it('words every failure as `name must be <type and range>, got <value>` (ERR_RDM2_OPTION)', () => {
    const cases: [object, string][] = [
      [{ count: 0 }, 'count must be an integer in [1, 10], got 0'],
      [{ count: 2.5 }, 'count must be an integer in [1, 10], got 2.5'],
      [{ low: 1 }, 'low must be an integer >= 2, got 1'],
      [{ scale: 0 }, 'scale must be a finite number > 0, got 0'],
      [{ scale: Infinity }, 'scale must be a finite number > 0, got Infinity'],
      [{ scale: '1' }, 'scale must be a finite number > 0, got "1"'],
      [{ mode: 'c' }, "mode must be one of 'a', 'b', got \"c\""],
      [{ flag: 1 }, 'flag must be a boolean, got 1'],
      [{ seed: 0.5 }, 'seed must be a safe integer, got 0.5'],
      [{ name: '' }, 'name must be a non-empty string, got ""'],
      [{ need: 'x' }, 'need must be an integer, got "x"'],
      [{ cuont: 1 }, "unknown demo option 'cuont' (known: count, low, scale, mode, flag, seed, name, need)"],
    ];
    for (const [given, message] of cases) {
      expectError(() => resolveOptions(schema, { need: 1, ...given }), 'ERR_RDM2_OPTION', new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
    }
    expectError(() => resolveOptions(schema, {}), 'ERR_RDM2_OPTION', /^need is required \(an integer\)$/);
    expectError(() => resolveOptions(schema, 5), 'ERR_RDM2_OPTION', /^demo options must be an object$/);
    expectError(() => resolveOptions(schema, [1]), 'ERR_RDM2_OPTION', /^demo options must be an object$/);
  });

  it('the warning defaults are the schema defaults', () => {
    // minBaseline's default depends on baseline: min(10, baseline).
    expect(DEFAULT_WARNING_OPTIONS).toEqual({ ...resolveOptions(WARNING_OPTIONS, {}), minBaseline: Math.min(DEFAULT_MIN_BASELINE, WARNING_OPTIONS.fields.baseline.default) });
    expect(Object.keys(ANALYZE_OPTIONS.fields)).toEqual(['window', 'stride', 'topK', 'detrend', 'transform', 'beta', 'threads', 'nonFinite']);
  });
});

const program = await buildProgram({ stdout: { write: () => 0 }, stderr: { write: () => 0 }, env: {} }, { exitCode: 0 });

describe('the command line owns no default', () => {
  const command = (name: string) => program.commands.find((c) => c.name() === name)!;

  it('every analysis and warning flag of analyze and sweep shows and uses its schema default, in the schema units', () => {
    const fields: [string, OptionSpec][] = [
      ...ANALYSIS_FLAGS.map((name) => [name, ANALYZE_FILE_OPTIONS.fields[name]] as [string, OptionSpec]),
      ...(['baseline', 'z', 'consecutive'] as const).map((name) => [name, WARNING_OPTIONS.fields[name]] as [string, OptionSpec]),
    ];
    for (const cmd of ['analyze', 'sweep']) {
      for (const [name, spec] of fields) {
        const option = command(cmd).options.find((o) => o.long === flagOf(name, spec))!;
        expect(option, `${cmd} ${name}`).toBeDefined();
        const d = typeof spec.default === 'function' ? undefined : flagDefault(spec);
        expect(option.defaultValue, `${cmd} ${option.long}`).toEqual(d);
      }
    }
    // The report keeps one eigenvector by default (its eigenvector chart).
    expect(command('report').options.find((o) => o.long === '--top-k')!.defaultValue).toBe(1);
    expect(command('demo').options.find((o) => o.long === '--seeds')!.defaultValue).toBe(DEMO_OPTIONS.fields.seeds.default);
    expect(command('sweep').options.find((o) => o.long === '--format')!.defaultValue).toBe(SWEEP_OPTIONS.fields.format.default);
  });

  it('flag values reach the library in its units; unset flags stay unset', () => {
    expect(analysisOptionsFrom({ window: 8, chunkMb: 0.5 })).toEqual({ window: 8, chunkBytes: 2 ** 19 });
    expect(analysisOptionsFrom({})).toEqual({});
  });
});

describe('own properties only (issue 13, item 21)', () => {
  const proto = Object.prototype as Record<string, unknown>;
  afterEach(() => {
    delete proto.stride;
    delete proto.topK;
    delete proto.window;
    delete proto.warn;
    delete proto.chunkBytes;
  });
  const T = 30;
  const n = 4;
  const data = randomMatrix(T, n, rng(5).normal, Float64Array) as Float64Array;

  it('analyze and analyzeSync ignore options inherited from Object.prototype', async () => {
    const clean = analyzeSync({ data, shape: [T, n] }, { window: 5 });
    proto.stride = 5;
    proto.topK = 2;
    const polluted = analyzeSync({ data, shape: [T, n] }, { window: 5 });
    expect(polluted.options.stride).toBe(1);
    expect(polluted.options.topK).toBe(0);
    expect(polluted.windows).toBe(T - 5 + 1);
    expect(polluted.shc).toEqual(clean.shc);
    expect((await analyze({ data, shape: [T, n] }, { window: 5 })).options.stride).toBe(1);
  });

  it('analyzeFile ignores them too (a [T, n] file still needs its own window)', async () => {
    const file = writeNpy(join(tempDir(), 'losses.npy'), data, T, n);
    proto.stride = 5;
    proto.chunkBytes = 0;
    const fa = await analyzeFile(file, { window: 5, threads: 1 });
    expect(fa.analysis.options.stride).toBe(1);
    expect(fa.analysis.windows).toBe(T - 5 + 1);
    proto.window = 5;
    await expect(analyzeFile(file, {})).rejects.toThrow(/window is required/);
  });

  it('SpectralMonitor ignores them', () => {
    proto.topK = 3;
    proto.warn = false;
    const m = new SpectralMonitor({ probes: n, window: 5 });
    expect(m.options.topK).toBe(0);
    expect(m.options.warn).toEqual({});
    m.close();
  });
});
