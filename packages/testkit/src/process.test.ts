import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { startProcess } from './process.js';

describe('startProcess', () => {
  it('writes all output to its log file and keeps only the last linesMax lines in memory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tap-process-'));
    try {
      const logPath = join(dir, 'logs', 'seq.log');
      const child = startProcess('sh', ['-c', 'seq 1 100; echo oops >&2'], { logPath, linesMax: 3 });
      expect((await child.exited).code).toBe(0);
      // The log is written as output arrives and closed after the last chunk, a moment after exit.
      await vi.waitFor(() => expect(readFileSync(logPath, 'utf8').split('\n')).toHaveLength(102), {
        timeout: 10_000,
      });
      expect(child.lines).toEqual(['98', '99', '100']);
      expect(child.tail()).toContain('stderr: oops');
      expect(child.running()).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects a wait for a line when the process exits first, naming it', async () => {
    const child = startProcess('sh', ['-c', 'echo starting; exit 3'], { name: 'short-lived' });
    await expect(child.waitForLine((line) => line === 'ready', 10_000)).rejects.toThrow(
      /short-lived exited \(3\) first[\s\S]*starting/,
    );
  });
});
