/**
 * The typed client of the optline HTTP API: openapi-fetch over the types that `npm run client` generates from
 * the OpenAPI document (client/openapi.d.ts). Paths, path parameters, request bodies and answers are checked
 * by the compiler against the document, so a route or schema that changes breaks its callers' build.
 *
 * openapi-fetch puts path parameters through encodeURIComponent, so a phone number is passed as plain E.164
 * (`+447400123456`) and travels as `%2B447400123456`, as the API wants it.
 */
import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { operations, paths } from './openapi';

export type { components, operations, paths } from './openapi';

export type OptlineClient = Client<paths>;

/** The JSON body an operation takes, by its operationId: `RequestBody<'sendMessage'>`. */
export type RequestBody<OperationId extends keyof operations> = operations[OperationId] extends {
  requestBody: { content: { 'application/json': infer Body } };
}
  ? Body
  : never;

/** A bearer token, or a function that returns a current one (a client-credentials token expires). */
export type TokenSource = string | (() => string | Promise<string>);

export interface OptlineClientOptions {
  /** The API root without a trailing `/v1`: the local server's URL or a deployed stage URL. */
  readonly baseUrl: string;
  /** Sent as `Authorization: Bearer <token>` with every call: a Cognito access token, or a local tenant token. */
  readonly token: TokenSource;
  /** @default - the global fetch */
  readonly fetch?: (request: Request) => Promise<Response>;
}

export function createOptlineClient(options: OptlineClientOptions): OptlineClient {
  const client = createClient<paths>({
    baseUrl: options.baseUrl,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const { token } = options;
  const bearer: Middleware = {
    async onRequest({ request }) {
      request.headers.set('authorization', `Bearer ${typeof token === 'string' ? token : await token()}`);
      return request;
    },
  };
  client.use(bearer);
  return client;
}
