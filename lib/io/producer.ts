// The producer stamp in every file rdm2 writes: the package name and version.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../native.js';

let version: string | undefined;

/** This package's version, from its package.json. */
export function rdm2Version(): string {
  version ??= (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
  return version;
}
