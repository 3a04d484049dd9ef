// Shipping: the npm tarball carries the linux-x64 prebuild, and installed into an
// empty project it loads and analyses with no compiler or cmake on the PATH.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'rdm2-pack-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A PATH holding only node, npm and a shell: no cmake, no g++, no c++. */
function bareBin(): string {
  const bin = join(work, 'bin');
  mkdirSync(bin);
  const which = (cmd: string) => execFileSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).trim();
  for (const cmd of ['node', 'npm', 'sh', 'bash', 'env', 'uname', 'tar', 'gzip']) symlinkSync(which(cmd), join(bin, cmd));
  return bin;
}

describe('npm pack', () => {
  it('ships a prebuild that installs and runs with no compiler on the PATH', () => {
    const out = execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const [info] = JSON.parse(out.slice(out.indexOf('['))) as { filename: string; files: { path: string }[] }[];
    const files = info.files.map((f) => f.path);
    expect(files).toContain(`prebuilds/${process.platform}-${process.arch}/rdm2.napi.node`);
    expect(files).toContain('dist/index.js');
    expect(files).toContain('dist/index.d.ts');
    expect(files).toContain('CMakeLists.txt');
    expect(files).toContain('data/real/manifest.json'); // the recorded real networks, for `rdm2 demo` without torch
    expect(files.some((f) => f.startsWith('test/'))).toBe(false);

    const app = join(work, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    const bin = bareBin();
    const env = { ...process.env, PATH: bin, EIGEN3_INCLUDE_DIR: '' };
    for (const cmd of ['cmake', 'g++', 'c++', 'cc']) expect(spawnSync('sh', ['-c', `command -v ${cmd}`], { env }).status).not.toBe(0);
    const install = spawnSync('npm', ['install', '--no-audit', '--no-fund', join(work, info.filename)], { cwd: app, env, encoding: 'utf8' });
    expect(install.status, install.stderr).toBe(0);
    expect(existsSync(join(app, 'node_modules', 'rdm2', 'build'))).toBe(false); // nothing was compiled

    writeFileSync(
      join(app, 'run.mjs'),
      `import { analyzeSync } from 'rdm2';
       const T = 50, n = 6, data = new Float64Array(T * n);
       for (let i = 0; i < data.length; i++) data[i] = Math.sin(i * 0.7) + (i % 7) * 0.1;
       const a = analyzeSync({ data, shape: [T, n] }, { window: 10 });
       console.log(JSON.stringify({ windows: a.windows, pr: a.pr[0] }));`,
    );
    const run = spawnSync('node', ['run.mjs'], { cwd: app, env, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { windows: number; pr: number };
    expect(result.windows).toBe(41);
    expect(result.pr).toBeGreaterThanOrEqual(1);
    expect(readdirSync(join(app, 'node_modules', 'rdm2', 'prebuilds'))).toEqual([`${process.platform}-${process.arch}`]);

    // The installed command line: rdm2 analyze on a .npy file written here by hand.
    const T = 50, n = 6;
    let header = `{'descr': '<f8', 'fortran_order': False, 'shape': (${T}, ${n}), }`;
    header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
    const head = Buffer.alloc(10);
    head.write('\x93NUMPY', 0, 'latin1');
    head[6] = 1;
    head.writeUInt16LE(header.length, 8);
    const values = new Float64Array(T * n).map((_, i) => Math.sin(i * 0.7) + (i % 7) * 0.1);
    writeFileSync(join(app, 'losses.npy'), Buffer.concat([head, Buffer.from(header, 'latin1'), Buffer.from(values.buffer)]));
    const cli = spawnSync(join(app, 'node_modules', '.bin', 'rdm2'), ['analyze', 'losses.npy', '--window', '10', '--out', 'result.json'], { cwd: app, env, encoding: 'utf8' });
    expect(cli.status, cli.stderr).toBe(0);
    const saved = JSON.parse(readFileSync(join(app, 'result.json'), 'utf8')) as { windows: number; pr: number[] };
    expect(saved.windows).toBe(41);
    expect(saved.pr[0]).toBe(result.pr);
  });
});
