import * as z from '../../lambdas/shared/zod';

describe('the shared zod module', () => {
  it('gives issues zod’s English messages, which zod/mini alone leaves as a bare "Invalid input"', () => {
    // GIVEN a schema built with the shared module
    const result = z.strictObject({ name: z.string().check(z.minLength(3)) }).safeParse({ name: 'a', x: 1 });

    // THEN each issue says what was wrong, with the bound and the key
    if (result.success) throw new Error('expected the value to be refused');
    const messages = result.error.issues.map((issue) => issue.message);
    expect(messages).toHaveLength(2);
    expect(messages[0]).toContain('>=3');
    expect(messages[1]).toContain('"x"');
    expect(messages).not.toContain('Invalid input');
  });

  it('throws a ZodError from parse, which problem mapping recognises', () => {
    expect(() => z.string().parse(7)).toThrow(z.ZodError);
  });
});
