import { describe, expect, it } from 'vitest';
import { CatchUps } from './catch-ups.js';

const A = '0x00000000000000000000000000000000000000aa';
const B = '0x00000000000000000000000000000000000000bb';

describe('CatchUps', () => {
  it('holds the live events of the held user only, in order', () => {
    const catchUps = new CatchUps(10);
    const hold = catchUps.hold(A, '5-0');
    catchUps.deliver(A, '6-0', 'a6');
    catchUps.deliver(B, '7-0', 'b7');
    catchUps.deliver(A, '8-0', 'a8');
    expect(catchUps.release(hold)).toEqual({
      events: [
        { id: '6-0', message: 'a6' },
        { id: '8-0', message: 'a8' },
      ],
      overflowed: false,
    });
  });

  it('holds for several sockets of one user independently', () => {
    const catchUps = new CatchUps(10);
    const first = catchUps.hold(A, '5-0');
    catchUps.deliver(A, '6-0', 'a6');
    const second = catchUps.hold(A, '6-0');
    catchUps.deliver(A, '7-0', 'a7');
    expect(catchUps.release(first).events.map((e) => e.id)).toEqual(['6-0', '7-0']);
    expect(catchUps.release(second).events.map((e) => e.id)).toEqual(['7-0']);
  });

  it('stops holding once released, and a second release returns nothing', () => {
    const catchUps = new CatchUps(10);
    const hold = catchUps.hold(A, '5-0');
    catchUps.deliver(A, '6-0', 'a6');
    catchUps.release(hold);
    expect(catchUps.size).toBe(0);
    catchUps.deliver(A, '7-0', 'a7');
    expect(catchUps.release(hold)).toEqual({ events: [], overflowed: false });
  });

  it('reports an overflow instead of growing past its bound', () => {
    const catchUps = new CatchUps(2);
    const hold = catchUps.hold(A, '5-0');
    for (let i = 6; i < 10; i++) catchUps.deliver(A, `${i}-0`, `a${i}`);
    const released = catchUps.release(hold);
    expect(released.overflowed).toBe(true);
    expect(released.events).toHaveLength(2);
  });
});
