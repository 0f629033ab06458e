import { newEventId } from '../../lambdas/domain/event-id';

describe('ledger event ids', () => {
  it('sort in the order they were made, even within one millisecond', () => {
    const ids = [newEventId(1_800_000_000_000), newEventId(1_800_000_000_000), newEventId(1_800_000_000_000)];
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(3);
  });

  it('sort by time across milliseconds, and never go back when the clock does', () => {
    const later = newEventId(1_900_000_000_001);
    const earlierClock = newEventId(1_900_000_000_000);
    expect(later < earlierClock).toBe(true);
    expect(later.slice(0, 12)).toBe((1_900_000_000_001).toString(16).padStart(12, '0'));
  });
});
