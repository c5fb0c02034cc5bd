import { encodeEntry } from '@tap/channels';
import { aPrint } from '@tap/testkit';
import { describe, expect, it } from 'vitest';
import { TOPICS } from '../protocol/topics.js';
import { TickFeed } from './tick-feed.js';

function recorder() {
  const published: { topic: string; message: Record<string, unknown> }[] = [];
  const malformed: string[] = [];
  return {
    published,
    malformed,
    publish: (topic: string, message: string) => published.push({ topic, message: JSON.parse(message) }),
    onMalformed: (id: string) => malformed.push(id),
  };
}

describe('TickFeed', () => {
  it('publishes one tick per print and keeps the last as the snapshot', () => {
    const r = recorder();
    const feed = new TickFeed(r.publish, r.onMalformed);
    const [first, second] = [aPrint(), aPrint({ priceCents: 9_600_000 })];
    feed.onEntries([
      ['1-0', encodeEntry('prices', first)],
      ['2-0', ['d', '{"id":1}']],
      ['3-0', encodeEntry('prices', second)],
    ]);
    expect(r.published).toEqual([
      {
        topic: TOPICS.ticks,
        message: {
          type: 'tick',
          t: first.t,
          p: first.priceCents,
          sigma: first.sigma,
          noise: first.noise ?? 0,
          id: first.id,
        },
      },
      { topic: TOPICS.ticks, message: expect.objectContaining({ p: 9_600_000 }) },
    ]);
    expect(r.malformed).toEqual(['2-0']);
    expect(JSON.parse(feed.snapshot() ?? '')).toMatchObject({ p: 9_600_000 });
  });

  it('seeds the snapshot from price:last without publishing', () => {
    const r = recorder();
    const feed = new TickFeed(r.publish, r.onMalformed);
    expect(feed.snapshot()).toBeUndefined();
    feed.seed(null);
    expect(feed.snapshot()).toBeUndefined();
    feed.seed('{broken');
    expect(r.malformed).toEqual(['price:last']);
    feed.seed(JSON.stringify(aPrint({ priceCents: 9_700_000 })));
    expect(JSON.parse(feed.snapshot() ?? '')).toMatchObject({ type: 'tick', p: 9_700_000 });
    expect(r.published).toEqual([]);
  });
});
