/**
 * The test kit's stack cleans up after itself when it cannot start: a daemon that exits before it is
 * healthy fails startStack with the daemon's own words, and every process it had started is
 * stopped (the caller gets no stack to stop, so nothing else would stop them).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { startStack } from '@tap/testkit';
import { describe, expect, it } from 'vitest';

/** Live (not zombie) child processes of this test process. */
function liveChildren(): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited while we looked
    }
    // pid (comm) state ppid …; comm may hold spaces, so split after its closing parenthesis.
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(ppid) === process.pid && state !== 'Z') children.push(Number(entry));
  }
  return children;
}

describe('startStack', () => {
  it('stops what it started and says why when a daemon exits before it is healthy', async () => {
    const before = liveChildren();
    const started = startStack({
      daemons: ['batcher', 'ingest-api'],
      env: { 'ingest-api': { BODY_BYTES_MAX: '1' } },
    });
    await expect(started).rejects.toThrow(/ingest-api exited[\s\S]*BODY_BYTES_MAX/);
    expect(liveChildren()).toEqual(before);
  }, 60_000);
});
