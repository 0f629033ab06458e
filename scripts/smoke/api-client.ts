/** The HTTP side of the smoke test: calls to one optline API with a bearer token, and plain downloads. */

/** Where the flow runs: a local server or a deployed cell's stage URL, and a token for one tenant. */
export interface SmokeTarget {
  /** Base URL without a trailing slash; paths such as `/v1/subscribers` are appended. */
  readonly baseUrl: string;
  readonly token: string;
}

/** One answer, with the body parsed when it is JSON. */
export interface ApiAnswer {
  readonly status: number;
  readonly contentType: string | null;
  readonly body: unknown;
  readonly text: string;
}

export type Fetch = typeof fetch;

async function answerOf(response: Response): Promise<ApiAnswer> {
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    // not JSON: the text is the body
  }
  return { status: response.status, contentType: response.headers.get('content-type'), body, text };
}

export class SmokeApi {
  constructor(
    private readonly target: SmokeTarget,
    private readonly fetchImpl: Fetch = fetch,
  ) {}

  /** Calls the API as the target's tenant. */
  async call(
    method: string,
    path: string,
    options: { body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<ApiAnswer> {
    const response = await this.fetchImpl(`${this.target.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.target.token}`,
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...options.headers,
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: AbortSignal.timeout(30_000),
    });
    return answerOf(response);
  }

  /**
   * Fetches a URL the API handed out, such as an export's download URL. It carries its own signature, so the
   * API's token is not sent with it: it is for the API alone.
   */
  async download(url: string): Promise<ApiAnswer> {
    return answerOf(await this.fetchImpl(url, { signal: AbortSignal.timeout(30_000) }));
  }
}
