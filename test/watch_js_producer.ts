// A producer for the watch tests' child processes: appends the transition run to a .rows / .jsonl
// file, one row every DELAY ms, then writes the end marker.
// Usage: node --import tsx test/watch_js_producer.ts FILE T DELAY_MS [SEED]
import { produce, transitionRun, writeGroupsSidecar } from './watch_run.js';

const [file, T, delay, seed] = [process.argv[2]!, Number(process.argv[3]), Number(process.argv[4]), Number(process.argv[5] ?? 1)];
writeGroupsSidecar(file);
await produce(file, transitionRun(T, seed), { to: T, delayMs: delay });
