import { describe, expect, it } from 'vitest';
import { parseStreamInfo, resumeVerdict } from './resume-verdict.js';

describe('resumeVerdict', () => {
  // 100 entries added, the 40 oldest trimmed: 41-0 … 100-0 remain.
  const info = {
    lastGeneratedId: '100-0',
    firstId: '41-0',
    entriesAdded: 100,
    length: 60,
    maxDeletedId: '0-0',
  };

  it('replays from an id still in the window', () => {
    expect(resumeVerdict('41-0', info)).toEqual({ ok: true });
    expect(resumeVerdict('70-3', info)).toEqual({ ok: true });
    expect(resumeVerdict('100-0', info)).toEqual({ ok: true });
  });

  it('asks for a resync when the id is older than the window', () => {
    expect(resumeVerdict('40-9', info)).toEqual({ ok: false, reason: 'events_trimmed' });
    expect(resumeVerdict('0-0', info)).toEqual({ ok: false, reason: 'events_trimmed' });
  });

  it('replays everything from 0-0 when nothing was ever removed', () => {
    expect(resumeVerdict('0-0', { ...info, entriesAdded: 60 })).toEqual({ ok: true });
  });

  it('asks for a resync when an entry after the id was deleted', () => {
    expect(resumeVerdict('70-0', { ...info, maxDeletedId: '71-0' })).toEqual({
      ok: false,
      reason: 'events_trimmed',
    });
  });

  it('handles a stream whose every entry was trimmed', () => {
    const empty = { lastGeneratedId: '100-0', entriesAdded: 100, length: 0 };
    expect(resumeVerdict('99-0', empty)).toEqual({ ok: false, reason: 'events_trimmed' });
    expect(resumeVerdict('100-0', empty)).toEqual({ ok: true });
  });

  it('asks for a resync when the id was never issued by this stream', () => {
    expect(resumeVerdict('100-1', info)).toEqual({ ok: false, reason: 'events_unknown' });
    expect(resumeVerdict('5-0', undefined)).toEqual({ ok: false, reason: 'events_unknown' });
  });

  it('accepts 0-0 on a stream that does not exist yet', () => {
    expect(resumeVerdict('0-0', undefined)).toEqual({ ok: true });
  });

  it('is conservative without the Redis 7 counters', () => {
    const old = { lastGeneratedId: '100-0', firstId: '41-0' };
    expect(resumeVerdict('40-5', old)).toEqual({ ok: false, reason: 'events_trimmed' });
    expect(resumeVerdict('41-0', old)).toEqual({ ok: true });
  });
});

describe('parseStreamInfo', () => {
  it('reads an XINFO STREAM reply (Redis 7.0)', () => {
    const reply = [
      'length',
      1,
      'radix-tree-keys',
      1,
      'last-generated-id',
      '100-0',
      'max-deleted-entry-id',
      '0-0',
      'entries-added',
      3,
      'recorded-first-entry-id',
      '100-0',
      'groups',
      0,
      'first-entry',
      ['100-0', ['d', '{}']],
      'last-entry',
      ['100-0', ['d', '{}']],
    ];
    expect(parseStreamInfo(reply)).toEqual({
      lastGeneratedId: '100-0',
      firstId: '100-0',
      entriesAdded: 3,
      length: 1,
      maxDeletedId: '0-0',
    });
  });

  it('reads an empty stream and rejects what is not a reply', () => {
    expect(parseStreamInfo(['length', 0, 'last-generated-id', '7-0', 'first-entry', null])).toEqual({
      lastGeneratedId: '7-0',
      length: 0,
    });
    expect(parseStreamInfo(null)).toBeUndefined();
    expect(parseStreamInfo(['length', 0])).toBeUndefined();
  });
});
