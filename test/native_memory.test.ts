// Every allocation failure of the native core becomes an Rdm2Error (issue 13, item 3): a child
// process under an address-space limit (`ulimit -v`) asks for more than it allows.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../lib/native.js';

/** Runs a snippet under `ulimit -v` (KiB); it prints JSON. */
function limited(code: string, kib: number) {
  // --jitless: no WebAssembly, whose address-space reservations (tsx's lexer) a limit would refuse.
  const script = `ulimit -v ${kib} && exec "${process.execPath}" --jitless --no-warnings --import tsx --input-type=module -e "$RDM2_SNIPPET"`;
  const r = spawnSync('sh', ['-c', script], { cwd: packageRoot, encoding: 'utf8', env: { ...process.env, RDM2_SNIPPET: code } });
  return r;
}

const GRAB = `const grab = async (f) => { try { await f(); return { ok: true }; } catch (e) { return { name: e.name, code: e.code, message: e.message }; } };`;

describe('out of memory in the native core', () => {
  it('a monitor too large for the limit (probes 100000, window 20000): ERR_RDM2_MEMORY, and the process goes on', () => {
    const r = limited(
      `import { SpectralMonitor } from './lib/index.ts';
       ${GRAB}
       const big = await grab(() => new SpectralMonitor({ probes: 100000, window: 20000 }));
       const small = await grab(() => new SpectralMonitor({ probes: 100, window: 20 }).push(new Float32Array(100)));
       process.stdout.write(JSON.stringify({ big, small }));`,
      4 * 1024 * 1024,
    );
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.big).toEqual({ name: 'Rdm2Error', code: 'ERR_RDM2_MEMORY', message: expect.stringMatching(/^out of memory: the native core could not allocate/) });
    expect(out.small).toEqual({ ok: true });
  });

  it('an analysis whose results do not fit: ERR_RDM2_MEMORY from analyzeSync and analyze', () => {
    // 60000 windows x 100 eigenvectors x 1000 probes of float32: 24 GB of results.
    const r = limited(
      `import { analyze, analyzeSync } from './lib/index.ts';
       ${GRAB}
       const data = new Float32Array(60100 * 1000);
       const opts = { window: 101, topK: 100, threads: 1, nonFinite: 'skip-window' };
       const sync = await grab(() => analyzeSync({ data, shape: [60100, 1000] }, opts));
       const async_ = await grab(() => analyze({ data, shape: [60100, 1000] }, opts));
       process.stdout.write(JSON.stringify({ sync, async: async_ }));`,
      6 * 1024 * 1024,
    );
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    for (const k of ['sync', 'async']) expect(out[k], k).toMatchObject({ name: 'Rdm2Error', code: 'ERR_RDM2_MEMORY', message: expect.stringMatching(/^out of memory/) });
  });
});
