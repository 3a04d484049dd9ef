// The README's quick start installs exactly the Debian packages CI installs, so the two commands
// it promises (set up + demo, then every test) hold on a fresh machine.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');

function ciPackages(): string[] {
  const script = readFileSync(join(root, '.ci', 'run'), 'utf8');
  const block = /^packages=\(\n([\s\S]*?)\n\)/m.exec(script);
  if (!block) throw new Error('.ci/run has no packages=( ... ) list');
  return block[1]!
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter((line) => line.length > 0);
}

function readmePackages(): string[] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Quick start'));
  const command = /apt-get install -y ([^&\n]+?) &&/.exec(section);
  if (!command) throw new Error("README's quick start has no apt-get install command");
  return command[1]!.trim().split(/\s+/);
}

describe('README quick start', () => {
  it('installs the same Debian packages as .ci/run', () => {
    const ci = ciPackages();
    expect(ci.length).toBeGreaterThan(5);
    expect([...readmePackages()].sort()).toEqual([...ci].sort());
  });

  it('has exactly two commands: set up and run the demo, then npm test', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const block = /## Quick start[\s\S]*?```sh\n([\s\S]*?)```/.exec(readme);
    const lines = block![1]!.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/&& npm ci && npx rdm2 demo$/);
    expect(lines[1]).toBe('npm test');
  });
});
