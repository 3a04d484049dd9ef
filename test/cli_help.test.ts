// `rdm2 --help` and every subcommand's help are complete; docs/cli.md holds the help of rdm2,
// analyze, sweep and merge verbatim, and a section for every other command (report and demo are
// documented in full on their own pages).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { buildProgram } from '../lib/cli/main.js';
import { rdm2Version } from '../lib/io/producer.js';
import { instructionSet } from '../lib/isa.js';
import { runCliHere, runCliProcess } from './io_fixtures.js';

vi.setConfig({ testTimeout: 0 });

const docs = readFileSync(join(import.meta.dirname, '..', 'docs', 'cli.md'), 'utf8');
const commands = buildProgram({ stdout: { write: () => 0 }, stderr: { write: () => 0 }, env: {} }, { exitCode: 0 }).commands.map((c) => c.name());

describe('help', () => {
  it('lists every command', async () => {
    const r = await runCliHere(['--help']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(commands.slice(0, 3)).toEqual(['analyze', 'sweep', 'merge']);
    for (const c of commands) expect(r.stdout).toMatch(new RegExp(`^  ${c} `, 'm'));
    expect(r.stdout).toContain('Exit status: 0 ok; 1 a file could not be read or analysed, or a run of a sweep failed;');
  });

  it('docs/cli.md holds the help of rdm2, analyze, sweep and merge verbatim', async () => {
    for (const args of [['--help'], ['analyze', '--help'], ['sweep', '--help'], ['merge', '--help']]) {
      const r = await runCliHere(args);
      expect(r.code).toBe(0);
      expect(docs, `rdm2 ${args.join(' ')}`).toContain('```text\n$ rdm2 ' + args.join(' ') + '\n' + r.stdout + '```');
    }
  });

  it('docs/cli.md has a section for every command, and every command has help', async () => {
    for (const c of commands) {
      expect(docs).toContain(`\n### rdm2 ${c}\n`);
      const r = await runCliHere([c, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout.startsWith(`Usage: rdm2 ${c} `)).toBe(true);
    }
  });

  it('every option of analyze, sweep and merge is documented in its help', async () => {
    const analyze = (await runCliHere(['analyze', '--help'])).stdout;
    for (const o of ['--window', '--stride', '--top-k', '--detrend', '--transform', '--beta', '--groups', '--out', '--json', '--transition', '--non-finite', '--threads', '--chunk-mb']) {
      expect(analyze).toContain(`  ${o} `);
    }
    const sweep = (await runCliHere(['sweep', '--help'])).stdout;
    for (const o of ['--pattern', '--out', '--jobs', '--resume', '--shard', '--format', '--quiet', '--window']) expect(sweep).toContain(`  ${o} `);
    expect((await runCliHere(['merge', '--help'])).stdout).toContain('  --out <dir> ');
  });

  it('--version, and the entry point as a child process', async () => {
    const isa = instructionSet();
    const kernels = `native kernels: ${isa.selected}${isa.forced ? ' (RDM2_ISA)' : ''}; this CPU supports ${isa.supported.join(', ')}`;
    expect(await runCliHere(['--version'])).toEqual({ code: 0, stdout: `${rdm2Version()} (${kernels})\n`, stderr: '' });
    const r = await runCliProcess(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe((await runCliHere(['--help'])).stdout);
  });

  it('no command: help on stderr, exit 2; unknown options of the program are errors', async () => {
    const r = await runCliHere([]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe((await runCliHere(['--help'])).stdout);
    expect(await runCliHere(['--frobnicate'])).toEqual({ code: 2, stdout: '', stderr: "rdm2: error: unknown option '--frobnicate' [ERR_RDM2_USAGE]\n(run 'rdm2 --help' for usage)\n" });
  });
});
