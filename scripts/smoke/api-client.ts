/**
 * The HTTP side of the smoke test: the typed API client (client/) bound to one target's token, so a drift between
 * the OpenAPI document and the server breaks the smoke's build or its run, and plain downloads of the URLs the
 * API hands out.
 */
import { createOptlineClient, type OptlineClient } from '../../client';

/** Where the flow runs: a local server or a deployed cell's stage URL, and a token for one tenant. */
export interface SmokeTarget {
  /** Base URL without a trailing slash; paths such as `/v1/subscribers` are appended. */
  readonly baseUrl: string;
  readonly token: string;
}

export type Fetch = typeof fetch;

/** A call gives up after this long, so a hung endpoint fails its step instead of stalling the run. */
const REQUEST_TIMEOUT_MS = 30_000;

/** The API as the target's tenant. */
export function smokeClient(target: SmokeTarget, fetchImpl: Fetch = fetch): OptlineClient {
  return createOptlineClient({
    baseUrl: target.baseUrl,
    token: target.token,
    fetch: (request) => fetchImpl(request, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) }),
  });
}

/** A download's answer, with the body parsed when it is JSON. */
export interface Download {
  readonly status: number;
  readonly body: unknown;
  readonly text: string;
}

/**
 * Fetches a URL the API handed out, such as an export's download URL. It carries its own signature, so the API's
 * token is not sent with it: it is for the API alone.
 */
export async function download(url: string, fetchImpl: Fetch = fetch): Promise<Download> {
  const response = await fetchImpl(url, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    // not JSON: the text is the body
  }
  return { status: response.status, body, text };
}
