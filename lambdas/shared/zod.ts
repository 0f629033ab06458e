/**
 * optline's one way in to zod: the tree-shakable `zod/mini` API, set up once with zod's English issue
 * messages (the classic API loads them itself; `zod/mini` starts with a bare "Invalid input"). Every module
 * imports it as `import * as z from '…/shared/zod'`, which eslint enforces.
 *
 * Why mini: the classic API hangs every method on every schema, so a bundle carries all of them, about 90 KB
 * minified, whatever it uses. The functional API keeps only the checks a handler calls (about 33 KB in the API
 * handlers), and builds its schemas faster at start-up. The validation engine and its issues are the same.
 */
import { config } from 'zod/mini';
import { en } from 'zod/v4/locales';

config(en());

export * from 'zod/mini';
/** What `parse` throws: zod/mini does not export the class itself. */
export { $ZodError as ZodError } from 'zod/v4/core';
