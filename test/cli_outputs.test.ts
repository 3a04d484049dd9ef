// Where commands write (issue 13): an output is never one of the inputs (by name, symbolic link
// or hard link), and paths read from a summary stay inside their directories.
import { existsSync, linkSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { lossMatrix, runCliHere, tempDir, writeCsv, writeNpz, writeText } from './io_fixtures.js';

vi.setConfig({ testTimeout: 0 });

const T = 30;
const N = 4;

/** A one-run tree swept into `<dir>/results`: the paths involved. */
async function sweptTree(prefix: string, seed: number) {
  const dir = tempDir(prefix);
  const runs = join(dir, 'runs');
  writeCsv(join(runs, 'a', 'losses.csv'), lossMatrix(T, N, seed), T, N);
  const out = join(dir, 'results');
  expect((await runCliHere(['sweep', runs, '--window', '5', '--out', out, '--quiet'])).code).toBe(0);
  return { dir, runs, out, summary: join(out, 'summary.json') };
}

function usage(command: string, message: string) {
  return { code: 2, stdout: '', stderr: `rdm2 ${command}: error: ${message} [ERR_RDM2_USAGE]\n(run 'rdm2 ${command} --help' for usage)\n` };
}

describe('an output is never an input (item 5)', () => {
  it('rdm2 analyze refuses --out naming its input, a link to it, its sidecar or its groups file; the input is untouched', async () => {
    const dir = tempDir('rdm2-out-');
    const input = writeCsv(join(dir, 'in.csv'), lossMatrix(T, N, 1), T, N);
    const npz = writeNpz(join(dir, 'in.npz'), lossMatrix(T, N, 2), T, N);
    const meta = writeText(join(dir, 'meta.json'), JSON.stringify({ transition: 12 }));
    const groups = writeText(join(dir, 'groups.json'), JSON.stringify(['a', 'a', 'b', 'b']));
    const before = [input, npz, meta, groups].map((f) => readFileSync(f));
    const soft = join(dir, 'soft.csv');
    symlinkSync(input, soft);
    const hard = join(dir, 'hard.csv');
    linkSync(input, hard);
    const cases: [string, string[], string][] = [
      [input, [input], input],
      [npz, [npz], npz],
      [soft, [input], input],
      [hard, [input], input],
      [join(dir, '.', 'in.csv'), [input], input],
      [meta, [input], meta],
      [groups, [input, '--groups', groups], groups],
    ];
    for (const [out, args, which] of cases) {
      const r = await runCliHere(['analyze', ...args, '--window', '5', '--out', out]);
      expect(r, out).toEqual(usage('analyze', `--out ${out} is the input ${which}: refusing to write over an input, choose another output path`));
    }
    expect([input, npz, meta, groups].map((f) => readFileSync(f))).toEqual(before);
    // Another file is fine.
    expect((await runCliHere(['analyze', input, '--window', '5', '--out', join(dir, 'out.csv')])).code).toBe(0);
  });

  it('rdm2 report refuses --out over its loss file, its result file or the sweep summary', async () => {
    const dir = tempDir('rdm2-out-');
    const input = writeCsv(join(dir, 'in.csv'), lossMatrix(T, N, 3), T, N);
    const before = readFileSync(input);
    expect(await runCliHere(['report', input, '--window', '5', '--out', input])).toEqual(
      usage('report', `--out ${input} is the input ${input}: refusing to write over an input, choose another output path`),
    );
    const result = join(dir, 'result.json');
    expect((await runCliHere(['analyze', input, '--window', '5', '--out', result])).code).toBe(0);
    expect(await runCliHere(['report', result, '--out', result])).toEqual(
      usage('report', `--out ${result} is the input ${result}: refusing to write over an input, choose another output path`),
    );
    expect(readFileSync(input)).toEqual(before);
    const { summary } = await sweptTree('rdm2-out-', 4);
    expect(await runCliHere(['report', '--sweep', summary, '--out', summary])).toEqual(
      usage('report', `--out ${summary} is the input ${summary}: refusing to write over an input, choose another output path`),
    );
  });

  it('rdm2 sweep refuses an --out that is the root through a symbolic link (not "no loss files match")', async () => {
    const dir = tempDir('rdm2-out-');
    const runs = join(dir, 'runs');
    writeCsv(join(runs, 'a', 'losses.csv'), lossMatrix(T, N, 5), T, N);
    const link = join(dir, 'link');
    symlinkSync(runs, link);
    expect(await runCliHere(['sweep', runs, '--window', '5', '--out', link, '--quiet'])).toEqual(
      usage('sweep', `--out ${link} is the sweep root: write results to another directory`),
    );
    expect(readdirSync(runs)).toEqual(['a']);
  });

  it('rdm2 merge refuses to write summary.json over the one summary it reads', async () => {
    const { dir, out, summary } = await sweptTree('rdm2-out-', 6);
    expect(await runCliHere(['merge', out, '--out', out])).toEqual(
      usage('merge', `--out ${out} (summary.json) is the input ${summary}: refusing to write over an input, choose another output path`),
    );
    expect((await runCliHere(['merge', out, '--out', join(dir, 'merged')])).code).toBe(0);
  });
});

describe('report --sweep keeps every path from the summary inside its root (item 6)', () => {
  it("a run path with '..' is refused and nothing is written outside --out", async () => {
    const { dir, runs, summary } = await sweptTree('rdm2-contain-', 7);
    const doc = JSON.parse(readFileSync(summary, 'utf8'));
    const page = join(dir, 'site', 'sweep.html');
    for (const path of ['../../escaped/losses.csv', '/tmp/abs/losses.csv', 'a/./losses.csv', 'a\\..\\..\\x.csv']) {
      const tampered = join(dir, 'tampered', 'summary.json');
      mkdirSync(dirname(tampered), { recursive: true });
      writeFileSync(tampered, JSON.stringify({ ...doc, runs: [{ ...doc.runs[0], path }], failed: [] }));
      const r = await runCliHere(['report', '--sweep', tampered, '--out', page, '--root', runs]);
      expect(r.code, path).toBe(1);
      expect(r.stderr, path).toMatch(new RegExp(`^rdm2 report: error: ${tampered}: runs\\[0\\]\\.path: .* expected a path inside the directory it is relative to \\[ERR_RDM2_FILE\\]\\n$`));
    }
    expect(existsSync(join(dir, 'escaped'))).toBe(false);
    expect(existsSync(join(dir, 'site'))).toBe(false);
    // The untampered summary gives a page and one run report under site/reports/.
    const ok = await runCliHere(['report', '--sweep', summary, '--out', page]);
    expect(ok.code).toBe(0);
    expect(existsSync(join(dir, 'site', 'reports', 'a', 'losses.csv.html'))).toBe(true);
  });
});
