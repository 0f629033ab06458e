import { BUNDLE_TARGET_KB, bundleBudgetProblem, OVER_TARGET_CEILINGS_KB } from '../../bench/bundle-budget';

describe('bundle budget', () => {
  it('holds a handler without a ceiling to the target', () => {
    // GIVEN a handler that has no ceiling of its own
    expect(OVER_TARGET_CEILINGS_KB['retention-sweep']).toBeUndefined();

    // WHEN its bundle is at, and then just above, the target
    const at = bundleBudgetProblem('retention-sweep', BUNDLE_TARGET_KB);
    const above = bundleBudgetProblem('retention-sweep', BUNDLE_TARGET_KB + 0.1);

    // THEN only the bundle above the target breaks the budget
    expect(at).toBeUndefined();
    expect(above).toMatch(/retention-sweep is 600.1 KB, above the 600 KB target/);
  });

  it('holds a handler that is over the target to its ceiling', () => {
    const ceiling = OVER_TARGET_CEILINGS_KB.messages!;

    expect(bundleBudgetProblem('messages', ceiling)).toBeUndefined();
    expect(bundleBudgetProblem('messages', ceiling + 0.1)).toMatch(/above its ceiling/);
  });

  it('asks for a ceiling to be lowered once its bundle has shrunk well below it', () => {
    const ceiling = OVER_TARGET_CEILINGS_KB.messages!;

    expect(bundleBudgetProblem('messages', ceiling - 29)).toBeUndefined();
    expect(bundleBudgetProblem('messages', ceiling - 31)).toMatch(/lower the ceiling/);
  });

  it('asks for a ceiling to be removed once its bundle meets the target', () => {
    expect(bundleBudgetProblem('optouts', BUNDLE_TARGET_KB - 50)).toMatch(/remove its ceiling/);
  });

  it('never lets a ceiling sit at or below the target', () => {
    for (const ceiling of Object.values(OVER_TARGET_CEILINGS_KB)) {
      expect(ceiling).toBeGreaterThan(BUNDLE_TARGET_KB);
    }
  });
});
