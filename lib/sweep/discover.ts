// Finding the runs of a sweep: every file under the root whose relative path matches the pattern.
import { readdir, realpath, stat } from 'node:fs/promises';
import { extname, join, relative, resolve, sep } from 'node:path';
import { Rdm2Error } from '../errors.js';
import { LOSS_FILE_EXTENSIONS } from '../io/read_loss_file.js';
import { globToRegExp } from './glob.js';

/** The default `--pattern`: a file named losses.* in any directory, in every readable format (lib/io/format_registry.ts). */
export const DEFAULT_PATTERN = `**/losses.{${LOSS_FILE_EXTENSIONS.map((e) => e.slice(1)).join(',')}}`;

/** Options of {@link discoverRuns}. */
export interface DiscoverOptions {
  /** Glob over paths relative to the root. Default {@link DEFAULT_PATTERN}. */
  pattern?: string;
  /** Directories never descended into (e.g. the sweep's own output directory). */
  exclude?: string[];
}

/**
 * Paths (relative to `root`, with `/` separators, sorted by code unit) of the loss files (by
 * extension, every format of the registry: .npy, .npz, .csv, .parquet, .arrow, .h5...) matching the pattern; other files (meta.json
 * sidecars...) are never runs. Entries whose name starts with '.' are skipped; symbolic links are
 * followed (each real directory is visited once).
 */
export async function discoverRuns(root: string, opts: DiscoverOptions = {}): Promise<string[]> {
  const re = globToRegExp(opts.pattern ?? DEFAULT_PATTERN);
  let rootStat: Awaited<ReturnType<typeof stat>>;
  try {
    rootStat = await stat(root);
  } catch (err) {
    throw new Rdm2Error('ERR_RDM2_USAGE', `sweep root ${root}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such directory' : (err as Error).message}`);
  }
  if (!rootStat.isDirectory()) throw new Rdm2Error('ERR_RDM2_USAGE', `sweep root ${root} is not a directory`);
  const excluded = new Set<string>();
  for (const e of opts.exclude ?? []) excluded.add(await realpath(e).catch(() => resolve(e)));
  const visited = new Set<string>();
  const found: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const real = await realpath(dir);
    if (visited.has(real) || excluded.has(real)) return;
    visited.add(real);
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const path = join(dir, entry.name);
      let isDir = entry.isDirectory();
      if (entry.isSymbolicLink()) {
        try {
          isDir = (await stat(path)).isDirectory();
        } catch {
          isDir = false; // a dangling link: matched like a file, and reported when read
        }
      }
      if (isDir) await walk(path);
      else {
        const rel = relative(root, path).split(sep).join('/');
        if (re.test(rel) && LOSS_FILE_EXTENSIONS.includes(extname(entry.name).toLowerCase())) found.push(rel);
      }
    }
  };
  await walk(root);
  return found.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
