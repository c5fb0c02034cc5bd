/**
 * The file side of profiling a daemon: find the main thread's `.cpuprofile` among those
 * `node --cpu-prof` wrote (worker threads write their own), read it, and resolve each frame of the
 * bundled `dist/main.js` to its original file through the bundle's source map (tsup writes one,
 * with the sources inlined): file, line, the file's imports and the code of the lines V8 sampled.
 * Also converts the harness's epoch milliseconds to the profile's monotonic microseconds.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CpuProfile, FrameSource, ProfileNode, WindowUs } from './cpu-profile.js';

/** Characters of sampled code kept per line (a bundled line can be long). */
const CODE_CHARS_MAX = 120;

/** `CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile`; thread 0 is the main thread. */
export function mainThreadProfilePath(dir: string, pid: number): string | null {
  if (!existsSync(dir)) return null;
  const name = readdirSync(dir).find((file) => {
    const match = /^CPU\.\d+\.\d+\.(\d+)\.(\d+)\.\d+\.cpuprofile$/.exec(file);
    return match !== null && Number(match[1]) === pid && match[2] === '0';
  });
  return name ? join(dir, name) : null;
}

export function readCpuProfile(path: string): CpuProfile {
  return JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
}

/**
 * Epoch milliseconds → the profile's clock. V8 stamps samples with its monotonic clock, which on
 * Linux is CLOCK_MONOTONIC like `process.hrtime`; both advance together, so one offset read now
 * converts any time of this run.
 */
export function monotonicWindow(fromMs: number, toMs: number): WindowUs {
  const offsetUs = Number(process.hrtime.bigint() / 1000n) - Date.now() * 1000;
  return { startUs: fromMs * 1000 + offsetUs, endUs: toMs * 1000 + offsetUs };
}

interface Script {
  path: string;
  lines: string[];
  map: SourceMap | null;
  /** Original source (as the map names it) → its imports. */
  imports: Map<string, string[]>;
}

/** The source of every frame that has one (`file://` scripts); the rest keep their url. */
export function resolveFrameSources(profile: CpuProfile, repoRoot: string): Map<number, FrameSource> {
  const scripts = new Map<string, Script | null>();
  const sources = new Map<number, FrameSource>();
  for (const node of profile.nodes) {
    const { url } = node.callFrame;
    if (!url.startsWith('file://')) continue;
    if (!scripts.has(url)) scripts.set(url, loadScript(fileURLToPath(url)));
    const script = scripts.get(url);
    if (script) sources.set(node.id, frameSource(node, script, repoRoot));
  }
  return sources;
}

function frameSource(node: ProfileNode, script: Script, repoRoot: string): FrameSource {
  const { lineNumber, columnNumber } = node.callFrame;
  const lines = (node.positionTicks ?? []).map((t) => ({
    code: (script.lines[t.line - 1] ?? '').trim().slice(0, CODE_CHARS_MAX),
    ticks: t.ticks,
  }));
  const entry = script.map?.findEntry(lineNumber, columnNumber);
  if (!entry || !('originalSource' in entry)) {
    return { file: relative(repoRoot, script.path), line: lineNumber + 1, imports: [], lines };
  }
  return {
    file: relative(repoRoot, resolve(dirname(script.path), entry.originalSource)),
    line: entry.originalLine + 1,
    imports: script.imports.get(entry.originalSource) ?? [],
    lines,
  };
}

function loadScript(path: string): Script | null {
  if (!existsSync(path)) return null;
  const lines = readFileSync(path, 'utf8').split('\n');
  const mapPath = `${path}.map`;
  if (!existsSync(mapPath)) return { path, lines, map: null, imports: new Map() };
  const payload = JSON.parse(readFileSync(mapPath, 'utf8')) as SourceMapPayload & {
    sourcesContent?: (string | null)[];
  };
  const imports = new Map(
    payload.sources.map((source, i) => [source, importsOf(payload.sourcesContent?.[i])]),
  );
  return { path, lines, map: new SourceMap(payload), imports };
}

/** Module specifiers a source imports (static `import … from '…'` and `import '…'`). */
export function importsOf(code: string | null | undefined): string[] {
  if (!code) return [];
  const found = new Set<string>();
  for (const match of code.matchAll(/\bimport\s+(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/g))
    found.add(match[1]!);
  return [...found];
}
