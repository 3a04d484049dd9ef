// `rdm2 report`: one run from its loss file, a sweep from its summary.json, SVG files, and usage errors.
import { existsSync } from 'node:fs';
import { cp } from 'node:fs/promises';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../lib/cli/main.js';
import type { CliIo } from '../lib/cli/io.js';
import { TEMP_FILE_PATTERN } from '../lib/io/atomic_write.js';
import { encodeNpy } from '../lib/io/npy.js';
import { checkpointStepsFromWindows } from '../lib/report/result_input.js';
import { syntheticScenario } from '../lib/index.js';
import { allElements, countMarks, parseStrictHtml } from './report_helpers.js';

let dir: string;

function bufferIo(): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    env: {},
    out: () => out,
    err: () => err,
  };
}

async function cli(...argv: string[]) {
  const io = bufferIo();
  const code = await runCli(argv, io);
  return { code, out: io.out(), err: io.err() };
}

/** A run directory with losses.npy (float32) and meta.json (steps, groups, transition). */
async function writeRun(runDir: string, seed: number) {
  const s = syntheticScenario({ probes: 12, groups: 3, steps: 80, seed, width: 3, stepInterval: 10 });
  await mkdir(runDir, { recursive: true });
  await writeFile(join(runDir, 'losses.npy'), encodeNpy({ values: Float32Array.from(s.losses.data), shape: s.losses.shape }));
  await writeFile(join(runDir, 'meta.json'), JSON.stringify({ steps: Array.from(s.steps), groups: s.groups, transition: s.transitionStep }));
  return s;
}

async function leftovers(root: string): Promise<string[]> {
  const names = await readdir(root, { recursive: true });
  return names.filter((n) => TEMP_FILE_PATTERN.test(n.split('/').pop()!));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rdm2-report-cli-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('rdm2 report <file>', () => {
  it('analyses the file with its meta.json and writes the HTML report and the SVGs, atomically', async () => {
    const s = await writeRun(join(dir, 'one'), 1);
    const out = join(dir, 'one-out', 'report.html');
    const svgDir = join(dir, 'one-out', 'figures');
    const r = await cli('report', join(dir, 'one', 'losses.npy'), '--window', '10', '--warn-baseline', '10', '--out', out, '--svg-dir', svgDir);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain(`wrote ${out} (5 charts)`);
    const html = await readFile(out, 'utf8');
    const els = allElements(parseStrictHtml(html));
    expect(els.filter((e) => e.tag === 'section').map((e) => e.attrs.id)).toEqual(['summary', 'losses', 'signals', 'covariance', 'eigenvector', 'spectrum']);
    expect(html).toContain('window 10, stride 1, topK 1'); // topK 1 by default for the eigenvector chart
    expect(html).toContain('baseline 10, z 6, consecutive 3');
    expect(html).toContain(`step ${s.transitionStep} (checkpoint ${s.transitionCheckpoint})`);
    expect(html).toContain('A (4), B (4), C (4)');
    expect(html).toContain('meta.json'); // where the metadata came from
    expect(html).toMatch(/Generated<\/th><td>\d{4}-\d\d-\d\dT/);
    const svgs = (await readdir(svgDir)).sort();
    expect(svgs).toEqual(['covariance.svg', 'eigenvector.svg', 'losses.svg', 'signals.svg', 'spectrum.svg']);
    const losses = await readFile(join(svgDir, 'losses.svg'), 'utf8');
    expect(losses.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(countMarks(losses, 'probes')).toBe(12);
    expect(await leftovers(join(dir, 'one-out'))).toEqual([]);
  });

  it('takes --groups and --transition over the sidecar, and --top-k as given', async () => {
    const groupsFile = join(dir, 'halves.txt');
    await writeFile(groupsFile, [...Array(6).fill('first'), ...Array(6).fill('second')].join('\n') + '\n');
    const out = join(dir, 'one-out', 'override.html');
    const r = await cli('report', join(dir, 'one', 'losses.npy'), '--window', '10', '--top-k', '2', '--groups', groupsFile, '--transition', '500', '--out', out);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const html = await readFile(out, 'utf8');
    expect(html).toContain('first (6), second (6)');
    expect(html).toContain('step 500 (checkpoint 50)');
    expect(html).toContain('topK 2');
    expect(html).toContain('--transition');
  });

  it('has its help reproduced verbatim in docs/report.md', async () => {
    const r = await cli('report', '--help');
    expect(r.code).toBe(0);
    const docs = await readFile(new URL('../docs/report.md', import.meta.url), 'utf8');
    expect(docs).toContain('```text\n$ rdm2 report --help\n' + r.out + '```');
  });

  it('refuses bad command lines with exit status 2, and unreadable files with 1', async () => {
    const file = join(dir, 'one', 'losses.npy');
    const out = join(dir, 'bad.html');
    const cases: [string[], number, RegExp][] = [
      [['report', file, '--window', '10'], 2, /required option '--out <file>' not specified/],
      [['report', '--out', out], 2, /missing argument 'file' \(or give --sweep <summary\.json>\)/],
      [['report', file, '--out', out], 2, /--window is required/],
      [['report', file, '--window', '1000', '--out', out], 2, /window \(1000\) is longer than the number of checkpoints T = 80/],
      [['report', file, '--window', '10', '--colour', 'red', '--out', out], 2, /unknown option '--colour'/],
      [['report', file, '--window', '10', '--by', 'lr', '--out', out], 2, /--by only applies with --sweep/],
      [['report', join(dir, 'missing.npy'), '--window', '10', '--out', out], 1, /missing\.npy: cannot read: no such file.*\[ERR_RDM2_FILE\]/],
      [['report', '--sweep', join(dir, 'summary.json'), '--window', '10', '--out', out], 2, /--window cannot be used with --sweep/],
      [['report', file, '--sweep', join(dir, 'summary.json'), '--out', out], 2, /give either a loss file or --sweep, not both/],
    ];
    for (const [argv, code, message] of cases) {
      const r = await cli(...argv);
      expect({ argv, code: r.code }).toEqual({ argv, code });
      expect(r.err).toMatch(message);
    }
    expect(existsSync(out)).toBe(false);
  });
});

describe('rdm2 report <result.json>', () => {
  it('draws the same charts from a result file as from its loss file', async () => {
    await writeRun(join(dir, 'res'), 7);
    const loss = join(dir, 'res', 'losses.npy');
    const a = await cli('analyze', loss, '--window', '12', '--top-k', '1', '--out', join(dir, 'res', 'result.json'));
    expect(a.code).toBe(0);
    const direct = await cli('report', loss, '--window', '12', '--out', join(dir, 'res', 'direct.html'), '--svg-dir', join(dir, 'res', 'direct'));
    const fromResult = await cli('report', join(dir, 'res', 'result.json'), '--out', join(dir, 'res', 'from-result.html'), '--svg-dir', join(dir, 'res', 'from-result'));
    expect([direct.code, fromResult.code, fromResult.err]).toEqual([0, 0, '']);
    expect(fromResult.out).toContain('(5 charts)');
    for (const id of ['losses', 'signals', 'covariance', 'eigenvector', 'spectrum']) {
      const x = await readFile(join(dir, 'res', 'direct', `${id}.svg`), 'utf8');
      const y = await readFile(join(dir, 'res', 'from-result', `${id}.svg`), 'utf8');
      expect({ id, same: x === y }).toEqual({ id, same: true });
    }
    const html = await readFile(join(dir, 'res', 'from-result.html'), 'utf8');
    expect(html).toContain('Result file');
    expect(html).toMatch(/Losses from<\/th><td>[^<]*losses\.npy/);
  });

  it('draws what it can when the loss file is gone: no losses, steps rebuilt from the windows', async () => {
    await mkdir(join(dir, 'moved'), { recursive: true });
    await cp(join(dir, 'res', 'result.json'), join(dir, 'moved', 'result.json'));
    await rm(join(dir, 'res', 'losses.npy'));
    const r = await cli('report', join(dir, 'moved', 'result.json'), '--out', join(dir, 'moved', 'r.html'), '--svg-dir', join(dir, 'moved', 'svg'));
    expect([r.code, r.err]).toEqual([0, '']);
    expect(r.out).toContain('(3 charts)');
    for (const id of ['signals', 'eigenvector', 'spectrum']) {
      const x = await readFile(join(dir, 'res', 'direct', `${id}.svg`), 'utf8');
      const y = await readFile(join(dir, 'moved', 'svg', `${id}.svg`), 'utf8');
      expect({ id, same: x === y }).toEqual({ id, same: true });
    }
    const html = await readFile(join(dir, 'moved', 'r.html'), 'utf8');
    expect(html).toMatch(/not drawn: the loss file [^<]*losses\.npy was not found/);
    expect(html).toContain('rebuilt from the window steps');
    expect(allElements(parseStrictHtml(html)).filter((e) => e.attrs.class === 'missing')).toHaveLength(2);
  });

  it('refuses analysis options with a result file, and files that are not results', async () => {
    const res = join(dir, 'moved', 'result.json');
    const r = await cli('report', res, '--window', '10', '--detrend', 'linear', '--out', join(dir, 'x.html'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--window, --detrend cannot be used with a result file/);
    await writeFile(join(dir, 'other.json'), JSON.stringify({ steps: [1, 2] }));
    const other = await cli('report', join(dir, 'other.json'), '--out', join(dir, 'x.html'));
    expect(other.code).toBe(1);
    expect(other.err).toMatch(/other\.json: not an rdm2 analysis result.*\[ERR_RDM2_FILE\]/);
  });

  it('rebuilds checkpoint steps exactly at window ends and evenly between them', () => {
    expect(Array.from(checkpointStepsFromWindows(Int32Array.of(2, 3, 4), [20, 30, 40], 5))).toEqual([0, 10, 20, 30, 40]);
    expect(Array.from(checkpointStepsFromWindows(Int32Array.of(3, 5), [30, 70], 7))).toEqual([-30, -10, 10, 30, 50, 70, 90]);
  });
});

describe('rdm2 report --sweep', () => {
  it('reports a sweep: lead times per group, every run linked to its own report, failures listed', async () => {
    const root = join(dir, 'sweep');
    for (const [group, seeds] of [['wide', [1, 2]], ['narrow', [3, 4]]] as const) {
      for (const seed of seeds) await writeRun(join(root, group, `seed${seed}`), seed);
    }
    await mkdir(join(root, 'narrow', 'seed5'), { recursive: true });
    await writeFile(join(root, 'narrow', 'seed5', 'losses.npy'), 'not a numpy file');
    const results = join(dir, 'sweep-out');
    const sw = await cli('sweep', root, '--window', '10', '--warn-baseline', '10', '--out', results, '--jobs', '1', '--quiet');
    expect(sw.code).toBe(1); // one run failed

    const page = join(results, 'sweep.html');
    const r = await cli('report', '--sweep', join(results, 'summary.json'), '--out', page, '--svg-dir', join(results, 'figures'));
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('(5 runs, 1 failed; 4 run reports under');
    const html = await readFile(page, 'utf8');
    const els = allElements(parseStrictHtml(html));
    const links = els.filter((e) => e.tag === 'a' && !e.attrs.href.startsWith('#')).map((e) => e.attrs.href);
    expect(links).toEqual(['reports/narrow/seed3/losses.npy.html', 'reports/narrow/seed4/losses.npy.html', 'reports/wide/seed1/losses.npy.html', 'reports/wide/seed2/losses.npy.html']);
    for (const link of links) {
      const runHtml = await readFile(join(results, link), 'utf8');
      expect(runHtml).toContain('baseline 10, z 6, consecutive 3'); // the sweep's own warning options
      expect(allElements(parseStrictHtml(runHtml)).filter((e) => e.tag === 'svg')).toHaveLength(5);
    }
    expect(html).toContain('narrow/seed5/losses.npy</code>: ');
    expect(html).toContain('Failed runs (1)');
    const t = els.filter((e) => e.tag === 'tr' && (e.attrs.class === 'ok' || e.attrs.class === 'failed')).map((e) => e.attrs.class);
    expect(t).toEqual(['ok', 'ok', 'failed', 'ok', 'ok']);
    expect(await leftovers(results)).toEqual([]);
  });

  it('without the runs, reports them from their stored results, and says which it could not report', async () => {
    const results = join(dir, 'sweep-out');
    const page = join(results, 'elsewhere.html');
    await rm(join(results, 'narrow', 'seed3', 'losses.npy.json'));
    const r = await cli('report', '--sweep', join(results, 'summary.json'), '--root', join(dir, 'nowhere'), '--out', page);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/^rdm2 report: some runs have no report:\n {2}no report for narrow\/seed3\/losses\.npy: .*not found \(use --root[^\n]*\n$/);
    expect(r.out).toContain('3 run reports under');
    const runHtml = await readFile(join(results, 'reports', 'wide', 'seed1', 'losses.npy.html'), 'utf8');
    // The stored result names the loss file by the path the sweep used, which still exists: every chart
    // but the eigenvector (the sweep kept no eigenvectors: topK 0).
    expect(runHtml).toMatch(/Result file<\/th><td>[^<]*wide\/seed1\/losses\.npy\.json/);
    expect(runHtml).toMatch(/Losses from<\/th><td>[^<]*sweep\/wide\/seed1\/losses\.npy/);
    expect(allElements(parseStrictHtml(runHtml)).filter((e) => e.tag === 'svg')).toHaveLength(4);
    expect(runHtml).toContain('topK = 0');
    const noLinks = await cli('report', '--sweep', join(results, 'summary.json'), '--no-run-reports', '--out', page);
    expect(noLinks.code).toBe(0);
    const html = await readFile(page, 'utf8');
    expect(html).not.toMatch(/<a href="reports\//);
  });
});
