/**
 * Finds what the smoke flow needs to call a deployed cell as one tenant: the stage URL, and an access token from
 * the cell's Cognito user pool through the OAuth 2.0 client-credentials grant.
 *
 * - The Api stack's outputs (CloudFormation DescribeStacks on `Optline-<cell>-Api`): the RestApi's stage URL
 *   (output `ApiEndpoint…`, which the RestApi construct adds), `TokenUrl` and `UserPoolId`.
 * - The tenant's app client, named `optline-<cell>-<tenant>` (lib/constructs/machine-user-pool.ts): its id from
 *   ListUserPoolClients and its secret from DescribeUserPoolClient, unless both are given.
 * - The token: POST to `TokenUrl` with `grant_type=client_credentials` and the scopes the flow needs, the client
 *   id and secret in an HTTP Basic Authorization header, as "The token issuer endpoint" describes
 *   (https://docs.aws.amazon.com/cognito/latest/developerguide/token-endpoint.html).
 *
 * Neither the secret nor the token is ever printed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type CloudFormationClient,
  DescribeStacksCommand,
  type Output,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import {
  type CognitoIdentityProviderClient,
  DescribeUserPoolClientCommand,
  ListUserPoolClientsCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { RESOURCE_SERVER_ID, type Scope } from '../../lambdas/api/routes';
import { CELLS_CONTEXT_KEY, cellsFromContext } from '../../lib/config';
import type { Fetch, SmokeTarget } from './api-client';

/** The scopes of the routes the flow calls: subscribe, send and read messages, opt out, file and read DSRs. */
export const SMOKE_SCOPES: readonly Scope[] = [
  'subscribers.write',
  'messages.send',
  'optouts.write',
  'dsr.manage',
];

/** The Api stack of a cell, as lib/optline-app.ts names it. */
export const apiStackNameOf = (cell: string): string => `Optline-${cell}-Api`;

/** A tenant's app client, as lib/constructs/machine-user-pool.ts names it in the Api stack. */
export const appClientNameOf = (cell: string, tenant: string): string => `optline-${cell}-${tenant}`;

/** What the Api stack outputs that the flow needs. */
export interface ApiStackOutputs {
  /** The stage URL without its trailing slash. */
  readonly endpoint: string;
  readonly tokenUrl: string;
  readonly userPoolId: string;
}

export interface DeployedTargetRequest {
  readonly cell: string;
  readonly tenant: string;
  /** @default - the tenant's app client, read from the user pool */
  readonly client?: { readonly id: string; readonly secret: string };
}

/** Clients in the cell's region. */
export interface DeployedTargetDeps {
  readonly cloudFormation: CloudFormationClient;
  readonly cognito: CognitoIdentityProviderClient;
  /** @default - the global fetch */
  readonly fetch?: Fetch;
}

/** Something about the deployed cell is not as the smoke test needs it; the message says what. */
export class DeployedTargetError extends Error {
  override readonly name = 'DeployedTargetError';
}

/**
 * The cell's region from the cell configuration `cdk deploy` used: the `optline:cells` context in cdk.json, or
 * the default cells. `undefined` when the cell is not configured there (for example when it was given with
 * `--context` on the command line); `--region` then names it.
 */
export function configuredRegion(
  cell: string,
  cdkJsonPath = join(__dirname, '..', '..', 'cdk.json'),
): string | undefined {
  const cdkJson = JSON.parse(readFileSync(cdkJsonPath, 'utf8')) as { context?: Record<string, unknown> };
  return cellsFromContext(cdkJson.context?.[CELLS_CONTEXT_KEY]).find((c) => c.name === cell)?.region;
}

/** Picks the three outputs out of DescribeStacks' answer. */
export function apiStackOutputs(stackName: string, outputs: readonly Output[]): ApiStackOutputs {
  const value = (matches: (key: string) => boolean): string | undefined =>
    outputs.find((output) => output.OutputKey !== undefined && matches(output.OutputKey))?.OutputValue;
  const endpoint = value((key) => /^ApiEndpoint[0-9A-F]*$/.test(key));
  const tokenUrl = value((key) => key === 'TokenUrl');
  const userPoolId = value((key) => key === 'UserPoolId');
  if (!endpoint || !tokenUrl || !userPoolId) {
    const keys = outputs.map((output) => output.OutputKey).join(', ') || 'none';
    throw new DeployedTargetError(
      `${stackName} lacks an output the smoke test needs (ApiEndpoint…, TokenUrl, UserPoolId); it has: ${keys}`,
    );
  }
  return { endpoint: endpoint.replace(/\/+$/, ''), tokenUrl, userPoolId };
}

async function readOutputs(deps: DeployedTargetDeps, stackName: string): Promise<ApiStackOutputs> {
  let stacks: Stack[];
  try {
    stacks =
      (await deps.cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks ?? [];
  } catch (error) {
    const name = error instanceof Error ? error.name : 'Error';
    const message = error instanceof Error ? error.message : String(error);
    throw new DeployedTargetError(`DescribeStacks ${stackName} failed: ${name}: ${message}`);
  }
  const stack = stacks[0];
  if (!stack) throw new DeployedTargetError(`No stack ${stackName}: deploy the cell first`);
  return apiStackOutputs(stackName, stack.Outputs ?? []);
}

async function tenantClient(
  deps: DeployedTargetDeps,
  userPoolId: string,
  clientName: string,
): Promise<{ id: string; secret: string }> {
  let nextToken: string | undefined;
  do {
    const page = await deps.cognito.send(
      new ListUserPoolClientsCommand({ UserPoolId: userPoolId, MaxResults: 60, NextToken: nextToken }),
    );
    const found = page.UserPoolClients?.find((client) => client.ClientName === clientName);
    if (found?.ClientId) {
      const { UserPoolClient: described } = await deps.cognito.send(
        new DescribeUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: found.ClientId }),
      );
      if (!described?.ClientSecret) {
        throw new DeployedTargetError(
          `App client ${clientName} has no secret: it cannot use client credentials`,
        );
      }
      return { id: found.ClientId, secret: described.ClientSecret };
    }
    nextToken = page.NextToken;
  } while (nextToken);
  throw new DeployedTargetError(
    `No app client ${clientName} in user pool ${userPoolId}: is the tenant listed in the cell's tenants?`,
  );
}

/** Exchanges the client's credentials for an access token with the flow's scopes. */
async function clientCredentialsToken(
  fetchImpl: Fetch,
  tokenUrl: string,
  client: { id: string; secret: string },
): Promise<string> {
  const response = await fetchImpl(tokenUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}`,
    },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      scope: SMOKE_SCOPES.map((scope) => `${RESOURCE_SERVER_ID}/${scope}`).join(' '),
    }).toString(),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  let answer: { access_token?: unknown; error?: unknown } = {};
  try {
    answer = JSON.parse(text) as typeof answer;
  } catch {
    // not JSON: reported below without the body
  }
  if (response.status !== 200 || typeof answer.access_token !== 'string') {
    // Only the OAuth error code is shown: the body of a success would be the token itself.
    const reason = typeof answer.error === 'string' ? answer.error : 'no access_token in the answer';
    throw new DeployedTargetError(`The token endpoint answered HTTP ${response.status}: ${reason}`);
  }
  return answer.access_token;
}

/** The stage URL and a fresh access token for the tenant. */
export async function deployedTarget(
  request: DeployedTargetRequest,
  deps: DeployedTargetDeps,
): Promise<SmokeTarget> {
  const stackName = apiStackNameOf(request.cell);
  const outputs = await readOutputs(deps, stackName);
  const client =
    request.client ??
    (await tenantClient(deps, outputs.userPoolId, appClientNameOf(request.cell, request.tenant)));
  const token = await clientCredentialsToken(deps.fetch ?? fetch, outputs.tokenUrl, client);
  return { baseUrl: outputs.endpoint, token };
}
