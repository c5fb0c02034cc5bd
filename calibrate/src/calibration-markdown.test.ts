import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CALIBRATE_RESULTS_DIR, CALIBRATE_ROOT } from './calibrate-command.js';
import { CALIBRATION_MD, RUN_COMMAND, renderCalibration } from './calibration-markdown.js';

const text = readFileSync(CALIBRATION_MD, 'utf8');

describe('CALIBRATION.md', () => {
  it('is what the recorded reports render to (nothing edited by hand, nothing left unrendered)', () => {
    expect(renderCalibration(CALIBRATE_RESULTS_DIR)).toBe(text);
  });

  it('shows only plots that exist, and every run with the command that reproduces it', () => {
    const images = [...text.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1]!);
    expect(images.length).toBeGreaterThan(10);
    for (const image of images) expect(existsSync(join(CALIBRATE_ROOT, image)), image).toBe(true);
    const runs = text.split('\n').filter((line) => line.startsWith('`pnpm '));
    expect(runs.length).toBeGreaterThan(10);
    for (const run of runs) expect(run.startsWith(`\`${RUN_COMMAND} --source `), run).toBe(true);
  });
});
