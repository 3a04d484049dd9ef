// A one-node Slurm cluster on localhost for the tests: its own munged (own key and socket),
// slurmctld and slurmd in the foreground as children of the test, every file in one temporary
// directory, configuration from test/slurm/slurm.conf.in. Started and stopped by the test.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';

const execFileP = promisify(execFile);

/** The daemons and clients the cluster needs (Debian's slurm-wlm and munge). */
const PROGRAMS = ['/usr/sbin/munged', '/usr/sbin/slurmctld', '/usr/sbin/slurmd', '/usr/bin/sbatch', '/usr/bin/squeue', '/usr/bin/scontrol', '/usr/bin/scancel', '/usr/bin/sinfo'];

/** Why this machine cannot run the cluster, or undefined when it can. */
export function cannotRunSlurm(): string | undefined {
  if (process.platform !== 'linux') return `Slurm's daemons run on Linux only (this is ${process.platform})`;
  const missing = PROGRAMS.filter((p) => !existsSync(p));
  if (missing.length > 0) return `${missing.join(', ')} not installed (Debian packages slurm-wlm and munge; .ci/run installs them)`;
  if (process.getuid?.() !== 0) return 'slurmd must run as root (it starts each job as its user); run the tests as root, as CI does';
  return undefined;
}

/** A port nobody listens on now. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Polls `check` every `every` ms until it returns a value, or throws after `limitMs` (a hang guard, not a timing assertion). */
export async function poll<T>(what: string, check: () => Promise<T | undefined>, limitMs: number, every = 250): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const got = await check();
    if (got !== undefined) return got;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what} after ${limitMs / 1000} s`);
    await sleep(every);
  }
}

/** A running cluster. */
export interface SlurmCluster {
  /** The state directory (configuration, logs, spool). */
  dir: string;
  /** Environment for clients and jobs: SLURM_CONF points at this cluster. */
  env: Record<string, string>;
  /** Runs a Slurm client (sbatch, squeue...) against this cluster; rejects on a non-zero exit. */
  client(program: string, args: string[], opts?: { cwd?: string; env?: Record<string, string> }): Promise<string>;
  /** The daemons' logs, for failure messages. */
  logs(): string;
  /** Cancels every job, waits for the queue to empty, stops the daemons and waits for them to exit. */
  stop(): Promise<void>;
}

function daemon(program: string, args: string[], env: Record<string, string>, log: string): ChildProcess {
  const child = spawn(program, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  child.stdout!.on('data', (b: Buffer) => out.push(b));
  child.stderr!.on('data', (b: Buffer) => out.push(b));
  child.on('exit', () => writeFileSync(log, Buffer.concat(out)));
  return child;
}

async function stopDaemon(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const late = await Promise.race([exited.then(() => false), sleep(30_000).then(() => true)]);
  if (late) {
    child.kill('SIGKILL');
    await exited;
  }
}

/** Starts munged, slurmctld and slurmd in `dir` and waits until the node is idle. */
export async function startCluster(dir: string): Promise<SlurmCluster> {
  for (const sub of ['munge', 'ctld', 'spool']) mkdirSync(join(dir, sub), { recursive: true, mode: 0o700 });
  writeFileSync(join(dir, 'munge', 'munge.key'), randomBytes(1024), { mode: 0o400 });
  writeFileSync(join(dir, 'plugstack.conf'), '');
  const host = hostname().split('.')[0]!;
  const conf = readFileSync(join(import.meta.dirname, 'slurm.conf.in'), 'utf8')
    .replaceAll('@HOST@', host)
    .replaceAll('@CTLD_PORT@', String(await freePort()))
    .replaceAll('@SLURMD_PORT@', String(await freePort()))
    .replaceAll('@STATE@', dir);
  const confPath = join(dir, 'slurm.conf');
  writeFileSync(confPath, conf);
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', SLURM_CONF: confPath };
  const children: ChildProcess[] = [];
  // Should the test process die without stopping the cluster, take the daemons with it.
  const reap = (): void => children.forEach((c) => c.exitCode === null && c.kill('SIGKILL'));
  process.once('exit', reap);
  const cluster: SlurmCluster = {
    dir,
    env,
    async client(program, args, opts = {}) {
      const r = await execFileP(program, args, { cwd: opts.cwd ?? dir, env: { ...env, ...opts.env }, maxBuffer: 16 << 20 });
      return r.stdout;
    },
    logs() {
      return ['munged.out', 'slurmctld.log', 'slurmd.log']
        .map((f) => join(dir, f))
        .filter((f) => existsSync(f))
        .map((f) => `--- ${f}\n${readFileSync(f, 'utf8').split('\n').slice(-40).join('\n')}`)
        .join('\n');
    },
    async stop() {
      try {
        if (children.length === 3 && children.every((c) => c.exitCode === null)) {
          await cluster.client('scancel', ['--full', '--quiet', '--user', 'root']).catch(() => '');
          await poll('the queue to empty', async () => ((await cluster.client('squeue', ['-h', '-o', '%i']).catch(() => '')).trim() === '' ? true : undefined), 120_000).catch(() => {});
        }
      } finally {
        // slurmd first (it owns the job steps), then the controller, then munge.
        for (const child of children.slice().reverse()) await stopDaemon(child);
        process.off('exit', reap);
      }
    },
  };
  try {
    const m = join(dir, 'munge');
    children.push(daemon('/usr/sbin/munged', ['--foreground', '--force', `--socket=${m}/munge.socket`, `--key-file=${m}/munge.key`, `--pid-file=${m}/munged.pid`, `--log-file=${m}/munged.log`, `--seed-file=${m}/munged.seed`], env, join(dir, 'munged.out')));
    await poll('munged to create its socket', async () => (existsSync(join(m, 'munge.socket')) ? true : undefined), 60_000);
    children.push(daemon('/usr/sbin/slurmctld', ['-D', '-i', '-f', confPath], env, join(dir, 'slurmctld.out')));
    children.push(daemon('/usr/sbin/slurmd', ['-D', '-f', confPath, '-N', host], env, join(dir, 'slurmd.out')));
    await poll(
      'the node to come up idle',
      async () => {
        for (const c of children) if (c.exitCode !== null) throw new Error(`${c.spawnfile} exited with status ${c.exitCode}`);
        const state = await cluster.client('sinfo', ['-h', '-o', '%T']).catch(() => '');
        return state.trim() === 'idle' ? true : undefined;
      },
      180_000,
    );
    return cluster;
  } catch (err) {
    await cluster.stop();
    throw new Error(`could not start the Slurm cluster: ${(err as Error).message}\n${cluster.logs()}`);
  }
}
