// Clocks for a shared machine. Each repetition records wall time, this process's CPU time and
// how many cores *other* processes kept busy meanwhile (from /proc/stat), so a table can say
// how contaminated a figure is. On an idle core a single-threaded run's CPU time equals its
// wall time; when other processes take turns on the core, the wall time grows and the CPU time
// barely does, so single-threaded comparisons use CPU time and multi-threaded ones wall time.
import { readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** Busy seconds summed over all cores since boot, or null off Linux. */
function machineBusySeconds(): number | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0];
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal ...
    const busy = f[0] + f[1] + f[2] + f[5] + f[6] + f[7];
    return busy / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

export interface Sample<T> {
  value: T;
  wall: number;
  /** This process's user + system CPU seconds. */
  cpu: number;
  /** Cores other processes kept busy on average during the call (null when unknown or too short to tell). */
  others: number | null;
}

/** Times `fn`; `childCpu` adds CPU seconds the call spent in a child process (the numpy driver). */
export async function sample<T>(fn: () => Promise<T> | T, childCpu?: (v: T) => number): Promise<Sample<T>> {
  const busy0 = machineBusySeconds();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await fn();
  const wall = (performance.now() - t0) / 1e3;
  const c = process.cpuUsage(cpu0);
  const busy1 = machineBusySeconds();
  const own = (c.user + c.system) / 1e6;
  const extra = childCpu ? childCpu(value) : 0;
  let others: number | null = null;
  // /proc/stat counts in 10 ms ticks: below ~0.2 s the estimate is mostly rounding.
  if (busy0 !== null && busy1 !== null && wall >= 0.2) others = Math.max(0, (busy1 - busy0 - own - extra) / wall);
  return { value, wall, cpu: own + extra, others };
}

/** Cores other processes kept busy over an interval of `seconds` (a short idle check). */
export async function othersLoad(seconds = 0.5): Promise<number | null> {
  const s = await sample(() => new Promise<void>((r) => setTimeout(r, seconds * 1e3)));
  return s.others;
}
