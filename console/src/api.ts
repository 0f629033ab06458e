/** The console's one way to the API: the generated typed client, with the session's token. */
import { createOptlineClient, type operations, type OptlineClient } from '../../client';
import { currentToken } from './auth/session';

export type { OptlineClient };

/** The JSON body of an operation's 200 answer, by its operationId. */
export type Answer<OperationId extends keyof operations> = operations[OperationId]['responses'] extends {
  200: { content: { 'application/json': infer Body } };
}
  ? Body
  : never;

export function consoleClient(apiBaseUrl: string): OptlineClient {
  return createOptlineClient({ baseUrl: apiBaseUrl, token: () => currentToken() ?? '' });
}

/** A refusal as a sentence: the problem's title and detail, which never carry personal data. */
export function problemText(error: unknown, response: Response): string {
  const problem = (error ?? {}) as { title?: unknown; detail?: unknown; errors?: unknown };
  const parts = [typeof problem.title === 'string' ? problem.title : `HTTP ${response.status}`];
  if (typeof problem.detail === 'string') parts.push(problem.detail);
  if (Array.isArray(problem.errors)) {
    for (const entry of problem.errors as { field?: unknown; message?: unknown }[])
      if (typeof entry.field === 'string' && typeof entry.message === 'string')
        parts.push(`${entry.field} ${entry.message}`);
  }
  return `${parts.join(': ')} (${response.status})`;
}
