// Rewrites the real settings' verdict tables that README.md and docs/real-networks.md quote (the
// text between the DEMO_REAL_BEGIN and DEMO_REAL_END markers) with what `rdm2 demo` prints now.
// test/demo_real.test.ts fails until they match, so run this after a change that moves a number:
//   node --import tsx scripts/update_demo_docs.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runRealSetting } from '../lib/demo/real_demo.js';
import { REAL_SETTINGS } from '../lib/demo/real_runs.js';
import { DEMO_REAL_BEGIN, DEMO_REAL_END, verdictTable } from '../lib/demo/verdict.js';
import { packageRoot } from '../lib/native.js';

const real = [];
for (const { name } of REAL_SETTINGS) {
  process.stderr.write(`${name} ...\n`);
  real.push(await runRealSetting(name));
}
const block = `${DEMO_REAL_BEGIN}\n\`\`\`text\n${verdictTable({ real })}\`\`\`\n${DEMO_REAL_END}`;

for (const file of ['README.md', join('docs', 'real-networks.md')]) {
  const path = join(packageRoot, file);
  const text = readFileSync(path, 'utf8');
  const from = text.indexOf(DEMO_REAL_BEGIN);
  const to = text.indexOf(DEMO_REAL_END);
  if (from < 0 || to < from) throw new Error(`${file}: no ${DEMO_REAL_BEGIN} ... ${DEMO_REAL_END} block`);
  const updated = text.slice(0, from) + block + text.slice(to + DEMO_REAL_END.length);
  if (updated !== text) {
    writeFileSync(path, updated);
    process.stdout.write(`updated ${file}\n`);
  }
}
