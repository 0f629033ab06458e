import { inspect } from 'node:util';

/** The personal data every SMS adapter test sends, so each can check it never leaks into an error. */
export const PHONE = '+447400123456';
export const BODY = 'Your code is 918273, do not share it';

/** The error a promise rejects with; fails the test when it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

/** Everything a logger could print about an error, its cause chain and attributes included. */
export function expectNoPersonalData(error: unknown): void {
  const printed = inspect(error, { depth: 10 });
  expect(printed).not.toContain(PHONE);
  expect(printed).not.toContain('7400123456');
  expect(printed).not.toContain(BODY);
  expect(printed).not.toContain('918273');
}
