import {
  bundleBudgetProblem,
  ceilingKb,
  DEFAULT_CEILING_KB,
  HANDLER_CEILINGS_KB,
} from '../../bench/bundle-budget';

describe('bundle budget', () => {
  it('holds a handler without a ceiling of its own to the default ceiling', () => {
    // GIVEN a handler that has no ceiling of its own
    expect(HANDLER_CEILINGS_KB['retention-sweep']).toBeUndefined();
    expect(ceilingKb('retention-sweep')).toBe(DEFAULT_CEILING_KB);

    // WHEN its bundle is at, and then just above, the default
    const at = bundleBudgetProblem('retention-sweep', DEFAULT_CEILING_KB);
    const above = bundleBudgetProblem('retention-sweep', DEFAULT_CEILING_KB + 0.1);

    // THEN only the bundle above it breaks the budget, and the message says what to do
    expect(at).toBeUndefined();
    expect(above).toMatch(
      /retention-sweep is 600.1 KB, above the default ceiling of 600 KB: give it a ceiling/,
    );
  });

  it('holds a handler that has a ceiling of its own to that ceiling', () => {
    const ceiling = HANDLER_CEILINGS_KB.messages!;
    expect(ceilingKb('messages')).toBe(ceiling);

    expect(bundleBudgetProblem('messages', ceiling)).toBeUndefined();
    expect(bundleBudgetProblem('messages', ceiling + 0.1)).toMatch(/above its ceiling/);
  });

  it('asks for a ceiling to be lowered once its bundle has shrunk well below it', () => {
    const ceiling = HANDLER_CEILINGS_KB.messages!;

    expect(bundleBudgetProblem('messages', ceiling - 29)).toBeUndefined();
    expect(bundleBudgetProblem('messages', ceiling - 31)).toMatch(/lower the ceiling/);
  });

  it('asks for a ceiling to be removed once the default ceiling holds its bundle', () => {
    expect(bundleBudgetProblem('optouts', DEFAULT_CEILING_KB - 50)).toMatch(/remove its own/);
  });

  it('never lets a handler ceiling sit at or below the default', () => {
    for (const ceiling of Object.values(HANDLER_CEILINGS_KB)) {
      expect(ceiling).toBeGreaterThan(DEFAULT_CEILING_KB);
    }
  });
});
