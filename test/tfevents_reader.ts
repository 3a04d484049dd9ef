// Runs the independent Python reader of TensorBoard event files (test/python/read_tfevents.py,
// Debian's python3-protobuf): every CRC checked there, every event decoded.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { torchPython } from '../scripts/python.mjs';

/** One decoded event. */
export interface DecodedEvent {
  wall_time: number;
  step: number;
  file_version?: string;
  values?: { tag: string; value: number | 'NaN' | 'Infinity' | '-Infinity' }[];
}

/** The interpreter with protobuf (Debian's): the project's one python (scripts/python.mjs; RDM2_PYTHON overrides it). */
export const PYTHON = torchPython();

/** Decodes event files with the Python reader; throws (with its message) on a bad CRC or record. */
export function readTfevents(files: string[]): { path: string; records: number; events: DecodedEvent[] }[] {
  const out = execFileSync(PYTHON, [join(import.meta.dirname, 'python', 'read_tfevents.py'), ...files], { encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'pipe'] });
  return (JSON.parse(out) as { files: { path: string; records: number; events: DecodedEvent[] }[] }).files;
}
