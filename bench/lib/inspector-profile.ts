import { Session } from 'node:inspector';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hotFunctions, type HotFunction } from './cpuprofile';

/** Output folder for .cpuprofile files (gitignored). Open them in Chrome DevTools or speedscope. */
export const PROFILE_DIR = join(__dirname, '..', '..', '..', 'bench', '.tmp', 'profiles');

/**
 * CPU-profiles `work` in this process with the V8 sampling profiler (the same one as node --cpu-prof), writes
 * `<name>.cpuprofile` under bench/.tmp/profiles and returns the heaviest functions by self time.
 */
export async function profileWhile(name: string, work: () => Promise<void> | void, intervalUs = 200, top = 12): Promise<{ file: string; hot: HotFunction[] }> {
  const session = new Session();
  session.connect();
  const post = <T = unknown>(method: string, params?: object) =>
    new Promise<T>((resolve, reject) => session.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result as T))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: intervalUs });
  await post('Profiler.start');
  try {
    await work();
  } finally {
    const { profile } = await post<{ profile: object }>('Profiler.stop');
    session.disconnect();
    mkdirSync(PROFILE_DIR, { recursive: true });
    const file = join(PROFILE_DIR, `${name}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    // eslint-disable-next-line no-unsafe-finally
    return { file, hot: hotFunctions(file, top, join(__dirname, '..', '..', '..')) };
  }
}
