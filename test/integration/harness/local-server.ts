import { randomUUID } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { createOptlineClient, type OptlineClient } from '../../../client';
import { SEND_RATE_ID_PREFIX } from '../../../lambdas/adapters/dynamo/send-rate-store';
import { TABLE_IDS } from '../../../lib/stacks/data-stack';
import { startLocalServer, type LocalServer, type LocalServerOptions } from '../../../local/server';
import { testDocumentClient } from './dynamo';

export interface TestServer extends LocalServer {
  readonly tablePrefix: string;
  /**
   * The typed client of the API (client/), as a tenant: for every well-formed call, so a drift between the
   * OpenAPI document and the server fails the typecheck or the test.
   */
  client(as?: Tenant): OptlineClient;
  /**
   * Sends a request as a tenant, or with the given Authorization header: for what the typed client cannot
   * express (malformed JSON, wrong types, missing headers, local-only routes).
   */
  request(method: string, path: string, options?: RequestOptions): Promise<TestResponse>;
  /**
   * Every item of every table of this server (test code may scan, the platform never does), less the send
   * schedules' counters (`send-rate:<identity>` in Idempotency): coordination state that every send moves, even
   * one refused later, and never data of a tenant or subject.
   */
  snapshot(): Promise<Record<string, unknown[]>>;
}

/** The seeded local tenants; each one's token is `local-<tenant>`. */
export type Tenant = 'demo' | 'acme';

export interface RequestOptions {
  readonly as?: Tenant | null;
  readonly body?: unknown;
  /** Sent as is, instead of JSON-encoding `body`. */
  readonly rawBody?: string;
  readonly headers?: Record<string, string>;
}

export interface TestResponse {
  readonly status: number;
  readonly contentType: string | null;
  readonly headers: Headers;
  readonly body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests inspect arbitrary JSON
}

/** A local server with its own tables in the DynamoDB Local of the global setup, on a free port. */
export async function startTestServer(
  options: Omit<LocalServerOptions, 'dynamoEndpoint' | 'port'> = {},
): Promise<TestServer> {
  const endpoint = process.env.OPTLINE_DYNAMODB_ENDPOINT;
  if (!endpoint)
    throw new Error('OPTLINE_DYNAMODB_ENDPOINT is not set: run through the integration jest project');
  const tablePrefix = options.tablePrefix ?? `t${randomUUID().slice(0, 8)}_`;
  const local = await startLocalServer({ ...options, port: 0, dynamoEndpoint: endpoint, tablePrefix });
  const db = testDocumentClient();

  return {
    ...local,
    tablePrefix,
    client: (as = 'demo') => createOptlineClient({ baseUrl: local.url, token: `local-${as}` }),
    async request(method, path, { as = 'demo', body, rawBody, headers = {} } = {}) {
      const response = await fetch(`${local.url}${path}`, {
        method,
        headers: {
          ...(as ? { authorization: `Bearer local-${as}` } : {}),
          ...(body !== undefined || rawBody !== undefined ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        body: rawBody ?? (body === undefined ? undefined : JSON.stringify(body)),
      });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text === '' ? undefined : JSON.parse(text);
      } catch {
        // not JSON: the test sees the text
      }
      return {
        status: response.status,
        contentType: response.headers.get('content-type'),
        headers: response.headers,
        body: parsed,
      };
    },
    async snapshot() {
      const entries = await Promise.all(
        TABLE_IDS.map(async (id) => {
          const { Items = [] } = await db.send(
            new ScanCommand({ TableName: `${tablePrefix}${id}`, ConsistentRead: true }),
          );
          const sorted = Items.filter((item) => !String(item.id).startsWith(SEND_RATE_ID_PREFIX))
            .map((item) => JSON.stringify(item))
            .sort();
          return [id, sorted] as const;
        }),
      );
      return Object.fromEntries(entries);
    },
    async close() {
      db.destroy();
      await local.close();
    },
  };
}

export const encodePhone = (e164: string): string => encodeURIComponent(e164);

/** A valid, random UK mobile number, so tests never collide on a subscriber. */
export const randomPhone = (): string => `+447400${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`;
