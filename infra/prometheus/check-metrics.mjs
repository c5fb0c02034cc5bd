#!/usr/bin/env node
// check-metrics.mjs — every metric an alert rule (tap.rules.yml) or a dashboard panel
// (infra/grafana/*.json) queries must be one the code exports, so a renamed metric cannot leave an
// alert that never fires or a panel that stays empty. And every metric the code exports follows the
// one naming scheme, `tap_<daemon>_<what>_<unit>` in base units (seconds, bytes; never _ms), where
// <daemon> is the services/ folder that registers it, and is listed in docs/metrics.md. Run by
// scripts/check-ops-files.sh.
//
//   node infra/prometheus/check-metrics.mjs     # one line per file, exit 1 naming unknown metrics
//
// Exported = a `name: '…'` of a prom-client Counter/Gauge/Histogram in services/*/src or
// packages/*/src (a template like `last_successful_${config.MODE}_timestamp` matches any word
// there); a histogram also exports _bucket, _sum and _count. Metrics of the exporters we deploy
// beside the code are allowed by prefix: Prometheus' own `up`, redis_exporter `redis_*`,
// node_exporter `node_*`.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const EXTERNAL = [/^up$/, /^redis_/, /^node_/];
const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'by',
  'without',
  'on',
  'ignoring',
  'bool',
  'offset',
  'group_left',
  'group_right',
]);

function sourceFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'dist') continue;
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

/**
 * Names the SPEC itself fixes (§8: the archiver's dead man's switch, which operators' alerts are
 * written against), kept as they are instead of renamed into the scheme.
 */
const SPEC_NAMES = new Set(['last_successful_archive_timestamp', 'last_successful_backup_timestamp']);

/** Every metric name the code registers: `name` as written (templates keep `${…}`), `re` matching it. */
export function exportedMetrics() {
  const patterns = [];
  for (const top of ['services', 'packages']) {
    for (const pkg of readdirSync(join(root, top))) {
      const src = join(root, top, pkg, 'src');
      if (!statSync(join(root, top, pkg)).isDirectory()) continue;
      let files = [];
      try {
        files = sourceFiles(src);
      } catch {
        continue; // a package without src/
      }
      for (const file of files) {
        const text = readFileSync(file, 'utf8');
        if (!/new (Counter|Gauge|Histogram)\b/.test(text)) continue;
        for (const match of text.matchAll(/new (Counter|Gauge|Histogram)\(\{\s*name:\s*['`]([^'`]+)['`]/g)) {
          const body = match[2]
            .split(/\$\{[^}]+\}/)
            .map((part) => part.replace(/[^a-z0-9_]/gi, ''))
            .join('[a-z0-9_]+');
          const suffix = match[1] === 'Histogram' ? '(_bucket|_sum|_count)?' : '';
          patterns.push({ name: match[2], file: relative(root, file), re: new RegExp(`^${body}${suffix}$`) });
        }
      }
    }
  }
  return patterns;
}

/** Metric names a PromQL expression selects. */
export function metricsOf(expr) {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '');
  const names = new Set();
  for (const match of bare.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const after = bare.slice(match.index + match[0].length).trimStart();
    if (after.startsWith('(') || KEYWORDS.has(match[0])) continue;
    if (match.index > 0 && /[0-9.]/.test(bare[match.index - 1])) continue; // 1e3, 5m
    names.add(match[0]);
  }
  return [...names];
}

function rulesExprs(path) {
  // The rules file keeps each expr on one line (`expr: …`), which this relies on.
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => /^\s+expr:/.test(line))
    .map((line) => line.replace(/^\s+expr:\s*/, ''));
}

function dashboardExprs(path) {
  const json = JSON.parse(readFileSync(path, 'utf8'));
  const exprs = [];
  const walk = (panels) => {
    for (const panel of panels ?? []) {
      for (const target of panel.targets ?? []) if (target.expr) exprs.push(target.expr);
      walk(panel.panels);
    }
  };
  walk(json.panels);
  if (exprs.length === 0) throw new Error('no panel queries');
  return exprs;
}

/** Problems with the code's own names: outside the scheme, in a non-base unit, or not in docs/metrics.md. */
function namingProblems(exported) {
  const documented = [
    ...readFileSync(join(root, 'docs/metrics.md'), 'utf8').matchAll(/`([a-z_:][a-z0-9_:]*)`/g),
  ].map((match) => match[1]);
  const problems = [];
  for (const { name, file, re } of exported) {
    const service = /^services\/([^/]+)\//.exec(file)?.[1];
    const prefix = service ? `tap_${service.replaceAll('-', '_')}_` : 'tap_';
    if (!SPEC_NAMES.has(name) && !name.startsWith(prefix))
      problems.push(`${name} (${file}): not ${prefix}<what>_<unit>`);
    if (/_(ms|milliseconds|us|microseconds|kb|mb)(_|$)/.test(name))
      problems.push(`${name}: not in base units`);
    if (!documented.some((doc) => re.test(doc))) problems.push(`${name}: not listed in docs/metrics.md`);
  }
  return problems;
}

const exported = exportedMetrics();
const known = (name) => EXTERNAL.some((re) => re.test(name)) || exported.some(({ re }) => re.test(name));
const files = [
  [join(root, 'infra/prometheus/tap.rules.yml'), rulesExprs],
  ...readdirSync(join(root, 'infra/grafana'))
    .filter((name) => name.endsWith('.json'))
    .map((name) => [join(root, 'infra/grafana', name), dashboardExprs]),
];
let failed = 0;
for (const [path, read] of files) {
  let exprs;
  try {
    exprs = read(path);
  } catch (err) {
    console.log(`FAIL  ${relative(root, path)}: ${err.message}`);
    failed += 1;
    continue;
  }
  const names = [...new Set(exprs.flatMap(metricsOf))];
  const unknown = names.filter((name) => !known(name));
  if (unknown.length > 0) {
    console.log(`FAIL  ${relative(root, path)}: metrics the code does not export: ${unknown.join(', ')}`);
    failed += 1;
  } else {
    console.log(
      `ok    ${relative(root, path)}  (${exprs.length} queries, ${names.length} metrics, all exported)`,
    );
  }
}
const naming = namingProblems(exported);
if (naming.length > 0) {
  console.log(`FAIL  docs/metrics.md: metric names: ${naming.join('; ')}`);
  failed += 1;
} else {
  console.log(
    `ok    docs/metrics.md  (${exported.length} metrics in the code, all named tap_<daemon>_…, all listed)`,
  );
}
process.exit(failed === 0 ? 0 : 1);
