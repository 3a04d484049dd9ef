// Runtime CPU dispatch: one binary with baseline, AVX2 and AVX-512 kernels. RDM2_ISA forces a
// level (a coded error when unknown or when this CPU lacks it); the API and `rdm2 --version`
// report the level in use; and the binary's code outside the AVX2/AVX-512 units uses no AVX
// instruction, so the baseline path runs on any x86-64.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeSync, instructionSet, Rdm2Error, SpectralMonitor } from '../lib/index.js';
import { prepareAnalysis, runPreparedSync } from '../lib/analyze.js';
import { toLossView } from '../lib/loss_matrix.js';
import { packageRoot } from '../lib/native.js';
import { rng } from '../bench/reference/naive.js';
import { randomMatrix } from './helpers.js';

const LEVELS = ['baseline', 'avx2', 'avx512'] as const;

/** Runs a snippet in a child process with RDM2_ISA set (and RDM2_ISA_HIDE: levels to treat as missing). */
function child(code: string, env: Record<string, string>) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    cwd: packageRoot,
    encoding: 'utf8',
    env: { ...process.env, RDM2_ISA: '', RDM2_ISA_HIDE: '', ...env },
  });
  return r;
}

describe('instruction set selection', () => {
  it('reports the level in use, the best and every supported one', () => {
    const isa = instructionSet();
    expect(isa.supported[0]).toBe('baseline');
    expect(isa.supported).toContain(isa.best);
    expect(isa.best).toBe(isa.supported[isa.supported.length - 1]);
    expect(isa.selected === isa.best || isa.forced !== null).toBe(true);
  });

  it('RDM2_ISA forces each supported level: the same kernels as the in-process choice, bit for bit', () => {
    const data = randomMatrix(90, 40, rng(3).normal);
    for (const level of instructionSet().supported) {
      const r = child(
        `import { analyzeSync, instructionSet } from './lib/index.ts';
         import { rng } from './bench/reference/naive.ts';
         import { randomMatrix } from './test/helpers.ts';
         const a = analyzeSync({ data: randomMatrix(90, 40, rng(3).normal), shape: [90, 40] }, { window: 12, topK: 2 });
         process.stdout.write(JSON.stringify({ isa: instructionSet(), shc: Array.from(a.shc), ev: Array.from(a.eigenvalues), vec: Array.from(a.eigenvectors) }));`,
        { RDM2_ISA: level },
      );
      expect(r.status, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout);
      expect(out.isa.selected).toBe(level);
      expect(out.isa.forced).toBe(level);
      const here = runPreparedSync(prepareAnalysis(toLossView({ data, shape: [90, 40] }), { window: 12, topK: 2 }, { isa: level }));
      expect(out.shc).toEqual(Array.from(here.shc));
      expect(out.ev).toEqual(Array.from(here.eigenvalues));
      expect(out.vec).toEqual(Array.from(here.eigenvectors!));
    }
  });

  it('an unknown level, or one the CPU lacks, is a coded error for analyses, monitors and the CLI', () => {
    // RDM2_ISA_HIDE makes the core behave as on a CPU without those levels (for this test).
    const cases: [Record<string, string>, RegExp][] = [
      [{ RDM2_ISA: 'avx1024' }, /RDM2_ISA=avx1024 is not an instruction set rdm2 knows \(baseline, avx2, avx512\)/],
      [{ RDM2_ISA: 'avx512', RDM2_ISA_HIDE: 'avx512' }, /RDM2_ISA=avx512 but this CPU does not support avx512 \(the best it supports is avx2\)/],
      [{ RDM2_ISA: 'avx2', RDM2_ISA_HIDE: 'avx2,avx512' }, /RDM2_ISA=avx2 but this CPU does not support avx2 \(the best it supports is baseline\)/],
    ];
    for (const [env, message] of cases) {
      const r = child(
        `import { analyze, analyzeSync, instructionSet, SpectralMonitor } from './lib/index.ts';
         const out = { isa: instructionSet() };
         const grab = (f) => { try { f(); return null; } catch (e) { return { code: e.code, message: e.message }; } };
         out.sync = grab(() => analyzeSync([[1, 2], [2, 1], [3, 5]], { window: 2 }));
         out.monitor = grab(() => new SpectralMonitor({ probes: 3, window: 2 }));
         out.async = await analyze({ data: new Float64Array(6), shape: [3, 2] }, { window: 2 }).then(() => null, (e) => ({ code: e.code, message: e.message }));
         process.stdout.write(JSON.stringify(out));`,
        env,
      );
      expect(r.status, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout);
      expect(out.isa.selected).toBeNull();
      expect(out.isa.error).toMatch(message);
      for (const k of ['sync', 'monitor', 'async']) {
        expect(out[k]?.code, k).toBe('ERR_RDM2_ISA');
        expect(out[k].message).toMatch(message);
      }
      const cli = spawnSync(process.execPath, ['--import', 'tsx', join(packageRoot, 'lib', 'cli.ts'), '--version'], {
        cwd: packageRoot,
        encoding: 'utf8',
        env: { ...process.env, RDM2_ISA_HIDE: '', ...env },
      });
      expect(cli.status).toBe(0);
      expect(cli.stdout).toMatch(/^\d+\.\d+\.\d+ \(native kernels: none usable: /);
      expect(cli.stdout).toMatch(message);
    }
  });

  it('`rdm2 --version` names the kernels, and RDM2_ISA when it chose them', () => {
    const isa = instructionSet();
    const run = (env: Record<string, string>) =>
      spawnSync(process.execPath, ['--import', 'tsx', join(packageRoot, 'lib', 'cli.ts'), '--version'], {
        cwd: packageRoot,
        encoding: 'utf8',
        env: { ...process.env, RDM2_ISA: '', RDM2_ISA_HIDE: '', ...env },
      }).stdout;
    expect(run({})).toMatch(new RegExp(`\\(native kernels: ${isa.best}; this CPU supports ${isa.supported.join(', ')}\\)\\n$`));
    expect(run({ RDM2_ISA: 'baseline' })).toMatch(/\(native kernels: baseline \(RDM2_ISA\); this CPU supports /);
  });

  it('a per-call level the CPU lacks is refused too (the benchmark and test switch)', () => {
    const missing = LEVELS.filter((l) => !instructionSet().supported.includes(l));
    for (const level of missing) {
      expect(() => runPreparedSync(prepareAnalysis(toLossView([[1, 2], [2, 1], [3, 5]]), { window: 2 }, { isa: level }))).toThrowError(Rdm2Error);
    }
    // And an analysis and a monitor work on the process-wide choice.
    expect(analyzeSync([[1, 2], [2, 1], [3, 5]], { window: 2 }).windows).toBe(2);
    expect(new SpectralMonitor({ probes: 2, window: 2 }).push([1, 2])).toBeNull();
  });
});

describe('the binary: AVX instructions only inside the AVX2 and AVX-512 units', () => {
  // Disassembles the loaded binary and attributes every instruction that needs AVX (VEX or
  // EVEX encoded: a v-prefixed mnemonic, or a ymm/zmm/mask register) to its function. Only
  // functions of the per-ISA namespaces may hold one; a function merged across units by the
  // linker (an inline function or template compiled for AVX-512 that the baseline path would
  // call) shows up here under its shared name.
  const binary = createRequire(import.meta.url)('node-gyp-build').path(packageRoot) as string;
  const allowed = /rdm2::(avx2|avx512|eigen_avx2|eigen_avx512)::|rdm2_eigen_avx2::|rdm2_eigen_avx512::|rdm2::(avx2|avx512)(Kernels|EigenProbes)\(\)/;

  it('objdump finds AVX only in functions of the avx2/avx512 namespaces', () => {
    const r = spawnSync('objdump', ['-d', '-C', '--no-show-raw-insn', binary], { encoding: 'utf8', maxBuffer: 1 << 30 });
    expect(r.error, 'objdump (binutils) is needed for this test').toBeUndefined();
    expect(r.status, r.stderr).toBe(0);
    let fn = '';
    let instructions = 0;
    let wide = 0;
    const offenders = new Map<string, string>();
    for (const line of r.stdout.split('\n')) {
      const head = /^[0-9a-f]+ <(.+)>:$/.exec(line);
      if (head) {
        fn = head[1]!;
        continue;
      }
      const ins = /^\s+[0-9a-f]+:\s+(\S+)\s*(.*)$/.exec(line);
      if (!ins) continue;
      instructions++;
      const [, mnemonic, operands] = ins;
      const avx = /^v[a-z]/.test(mnemonic!) || /%[yz]mm\d|%k[0-7]\b/.test(operands!);
      if (!avx) continue;
      wide++;
      if (!allowed.test(fn) && !offenders.has(fn)) offenders.set(fn, `${mnemonic} ${operands}`);
    }
    expect(instructions).toBeGreaterThan(10000);
    expect(wide, 'the AVX2/AVX-512 kernels are in the binary').toBeGreaterThan(1000);
    expect([...offenders].map(([f, i]) => `${f}: ${i}`)).toEqual([]);
  });

  it('every weak or global symbol the AVX units define lives in their own namespaces', () => {
    for (const unit of ['kernels_avx2', 'kernels_avx512', 'eigen_probes_avx2', 'eigen_probes_avx512']) {
      const find = spawnSync('find', [join(packageRoot, 'build'), '-name', `${unit}.cpp.o`], { encoding: 'utf8' });
      const object = find.stdout.trim().split('\n')[0];
      expect(object, `${unit}.cpp.o in build/`).toMatch(/\.o$/);
      const nm = spawnSync('nm', ['-C', '--defined-only', object!], { encoding: 'utf8', maxBuffer: 1 << 28 });
      expect(nm.status, nm.stderr).toBe(0);
      const shared = nm.stdout
        .split('\n')
        .map((l) => /^[0-9a-f]+ ([TWVuBDR]) (.+)$/.exec(l))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => m[2]!)
        .filter((name) => !allowed.test(name) && !name.startsWith('DW.ref.__gxx_personality'));
      expect(shared, unit).toEqual([]);
    }
  });
});
