// Rewrites every verbatim help block in docs/*.md (a ```text block starting with `$ rdm2 ... --help`)
// with the command's current help, which the option schemas generate. test/cli_help.test.ts and
// test/report_cli.test.ts fail until the docs match, so run this after changing an option:
//   node --import tsx scripts/update_cli_docs.ts
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../lib/cli/main.js';

const docs = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs');

async function helpOf(args: string[]): Promise<string> {
  let out = '';
  const code = await runCli(args, { stdout: { write: (s: string) => (out += s) }, stderr: { write: () => true }, env: {} });
  if (code !== 0) throw new Error(`rdm2 ${args.join(' ')} exited with ${code}`);
  return out;
}

for (const name of readdirSync(docs).filter((f) => f.endsWith('.md'))) {
  const path = join(docs, name);
  const text = readFileSync(path, 'utf8');
  const blocks = [...text.matchAll(/```text\n\$ rdm2 ([^\n]*--help)\n[\s\S]*?```/g)];
  if (blocks.length === 0) continue;
  let updated = text;
  for (const [block, command] of blocks) {
    const fresh = '```text\n$ rdm2 ' + command + '\n' + (await helpOf(command.split(' '))) + '```';
    updated = updated.replace(block, fresh);
  }
  if (updated !== text) {
    writeFileSync(path, updated);
    process.stdout.write(`updated ${join('docs', name)}\n`);
  }
}
