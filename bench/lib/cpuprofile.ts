import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface HotFunction {
  name: string;
  location: string;
  selfPct: number;
  selfMs: number;
}

/**
 * Self time per function of a V8 .cpuprofile (node --cpu-prof), heaviest first. Each sample's time delta is
 * clipped to 4× the median interval: when the process is descheduled (a busy machine) the next sample would
 * otherwise absorb the whole gap and make whatever ran then look hot.
 */
export function hotFunctions(file: string, top = 15, root = process.cwd()): HotFunction[] {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<string, { name: string; location: string; us: number }>();
  const sortedDeltas = profile.timeDeltas.filter((d) => d > 0).sort((a, b) => a - b);
  const cap = 4 * (sortedDeltas[Math.floor(sortedDeltas.length / 2)] ?? 1000);
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]);
    const dt = Math.min(cap, Math.max(0, profile.timeDeltas[i] ?? 0));
    if (!node) continue;
    total += dt;
    const { functionName, url, lineNumber } = node.callFrame;
    const path = url.startsWith('file://') ? relative(root, url.slice('file://'.length)) : url;
    const location = path ? `${path}:${lineNumber + 1}` : '';
    const key = `${functionName}@${location}`;
    const entry = selfUs.get(key) ?? { name: functionName || '(anonymous)', location, us: 0 };
    entry.us += dt;
    selfUs.set(key, entry);
  }
  return [...selfUs.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, top)
    .map((e) => ({ name: e.name, location: e.location, selfMs: e.us / 1000, selfPct: total > 0 ? (100 * e.us) / total : 0 }));
}

/** A named share of CPU: samples whose innermost matching frame is one of `frames` (or `passThrough`). */
export interface CostGroup {
  name: string;
  /** Frames that open this group: function name and a substring of its script URL ('' for native frames). */
  frames: { fn: string; url: string }[];
}

export interface GroupShare {
  name: string;
  /** Share of busy (non-idle) samples. */
  pct: number;
  samples: number;
}

/**
 * Splits a profile's busy samples into non-overlapping groups: walking from the leaf towards the root, a sample
 * belongs to the first group whose frame it meets. `passThrough` frames (continuations such as a middleware's
 * `next`, which run the rest of the request inline) stop the walk and count as `rest`, so a middleware is charged
 * only for its own work. Samples that meet no group count as `rest`. Idle samples are left out.
 */
export function attribute(file: string, groups: readonly CostGroup[], passThrough: readonly { fn: string; url: string }[], rest: string): GroupShare[] {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const matches = (node: ProfileNode, f: { fn: string; url: string }) => node.callFrame.functionName === f.fn && (f.url === '' ? node.callFrame.url === '' : node.callFrame.url.includes(f.url));
  const counts = new Map<string, number>();
  let busy = 0;
  const memo = new Map<number, string>();
  const groupOf = (id: number): string => {
    const cached = memo.get(id);
    if (cached !== undefined) return cached;
    let result = rest;
    for (let q: number | undefined = id; q !== undefined; q = parent.get(q)) {
      const node = byId.get(q) as ProfileNode;
      const group = groups.find((g) => g.frames.some((f) => matches(node, f)));
      if (group) {
        result = group.name;
        break;
      }
      if (passThrough.some((f) => matches(node, f))) break;
    }
    memo.set(id, result);
    return result;
  };
  for (const sample of profile.samples) {
    const node = byId.get(sample);
    if (!node || node.callFrame.functionName === '(idle)') continue;
    busy++;
    const name = groupOf(sample);
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return [...groups.map((g) => g.name), rest]
    .map((name) => ({ name, samples: counts.get(name) ?? 0, pct: busy > 0 ? (100 * (counts.get(name) ?? 0)) / busy : 0 }))
    .sort((a, b) => b.samples - a.samples);
}
