// Compiles the core (cmake-js is incremental) and places the binary where
// node-gyp-build looks first: prebuilds/<platform>-<arch>/rdm2.napi.node.
// prebuildify itself only drives node-gyp, and one build description (CMake)
// is better than two that drift, so this does its placement step by hand.
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildNative, root } from './native_build.mjs';

buildNative();
const dir = join(root, 'prebuilds', `${process.platform}-${process.arch}`);
rmSync(join(root, 'prebuilds'), { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
copyFileSync(join(root, 'build', 'Release', 'rdm2.node'), join(dir, 'rdm2.napi.node'));
console.log(`rdm2: prebuild written to ${join('prebuilds', `${process.platform}-${process.arch}`, 'rdm2.napi.node')}`);
