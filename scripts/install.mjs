// npm install hook: use the shipped prebuild when it loads on this machine,
// otherwise build from source (which needs cmake, g++ and Eigen).
import { createRequire } from 'node:module';
import { buildNative, root } from './native_build.mjs';

const require = createRequire(import.meta.url);
let prebuilt = false;
try {
  /** @type {{ path(dir: string): string }} */
  const load = require('node-gyp-build');
  const path = load.path(root);
  prebuilt = path.includes('prebuilds');
  if (prebuilt) require(path); // make sure it really loads here
} catch {
  prebuilt = false;
}
if (!prebuilt) buildNative();
