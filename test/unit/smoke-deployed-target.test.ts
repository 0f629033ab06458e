import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand, type Output } from '@aws-sdk/client-cloudformation';
import {
  CognitoIdentityProviderClient,
  DescribeUserPoolClientCommand,
  ListUserPoolClientsCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { RestApi, MockIntegration } from 'aws-cdk-lib/aws-apigateway';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { DEFAULT_CELLS } from '../../lib/config';
import { MachineUserPool } from '../../lib/constructs/machine-user-pool';
import { apiStackName } from '../../lib/optline-app';
import {
  apiStackNameOf,
  apiStackOutputs,
  appClientNameOf,
  configuredRegion,
  deployedTarget,
  DeployedTargetError,
} from '../../scripts/smoke/deployed-target';

const cloudFormation = new CloudFormationClient({ region: 'us-east-1' });
const cognito = new CognitoIdentityProviderClient({ region: 'us-east-1' });
const cfn = mockClient(cloudFormation);
const idp = mockClient(cognito);

const POOL_ID = 'us-east-1_AbCdEf123';
const TOKEN_URL = 'https://optline-us-123456789012.auth.us-east-1.amazoncognito.com/oauth2/token';
const ENDPOINT = 'https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/prod/';
const OUTPUTS: Output[] = [
  { OutputKey: 'ApiEndpoint4F160690', OutputValue: ENDPOINT },
  { OutputKey: 'TokenUrl', OutputValue: TOKEN_URL },
  { OutputKey: 'UserPoolId', OutputValue: POOL_ID },
];

interface TokenRequest {
  url: string;
  method: string | undefined;
  headers: Record<string, string>;
  body: URLSearchParams;
}

/** A token endpoint stand-in that records each request and answers with `status` and `answer`. */
function tokenEndpoint(status = 200, answer: unknown = { access_token: 'the-token', expires_in: 3600 }) {
  const requests: TokenRequest[] = [];
  const fetchImpl = jest.fn(async (url: string | URL | Request, init?: RequestInit) => {
    requests.push({
      url: String(url),
      method: init?.method,
      headers: init?.headers as Record<string, string>,
      body: new URLSearchParams(String(init?.body)),
    });
    return new Response(JSON.stringify(answer), { status, headers: { 'content-type': 'application/json' } });
  });
  return { fetchImpl: fetchImpl as unknown as typeof fetch, requests };
}

beforeEach(() => {
  cfn.reset();
  idp.reset();
  cfn.on(DescribeStacksCommand, { StackName: 'Optline-us-Api' }).resolves({
    Stacks: [
      {
        StackName: 'Optline-us-Api',
        StackStatus: 'UPDATE_COMPLETE',
        CreationTime: new Date(),
        Outputs: [{ OutputKey: 'AlarmTopicArn', OutputValue: 'arn:aws:sns:x' }, ...OUTPUTS],
      },
    ],
  });
});

describe('npm run smoke against a deployed cell', () => {
  it("reads the Api stack's outputs, finds the tenant's app client and asks for a client-credentials token", async () => {
    // GIVEN a user pool whose second page of app clients holds the tenant's client
    idp
      .on(ListUserPoolClientsCommand, { UserPoolId: POOL_ID, NextToken: undefined })
      .resolves({ UserPoolClients: [{ ClientId: 'other', ClientName: 'optline-us-acme' }], NextToken: 'p2' })
      .on(ListUserPoolClientsCommand, { UserPoolId: POOL_ID, NextToken: 'p2' })
      .resolves({ UserPoolClients: [{ ClientId: 'client-demo', ClientName: 'optline-us-demo' }] });
    idp
      .on(DescribeUserPoolClientCommand, { UserPoolId: POOL_ID, ClientId: 'client-demo' })
      .resolves({ UserPoolClient: { ClientId: 'client-demo', ClientSecret: 'demo-secret' } });
    const { fetchImpl, requests } = tokenEndpoint();

    // WHEN the target of cell us, tenant demo is resolved
    const target = await deployedTarget(
      { cell: 'us', tenant: 'demo' },
      { cloudFormation, cognito, fetch: fetchImpl },
    );

    // THEN the flow calls the stage URL (no trailing slash) with the token
    expect(target).toStrictEqual({
      baseUrl: 'https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/prod',
      token: 'the-token',
    });
    expect(cfn).toHaveReceivedCommandWith(DescribeStacksCommand, { StackName: 'Optline-us-Api' });
    expect(idp).toHaveReceivedCommandTimes(ListUserPoolClientsCommand, 2);
    expect(idp).toHaveReceivedCommandWith(DescribeUserPoolClientCommand, {
      UserPoolId: POOL_ID,
      ClientId: 'client-demo',
    });
    // AND the token request is the client-credentials grant with the flow's four scopes, authenticated by
    // HTTP Basic with the client id and secret
    expect(requests).toHaveLength(1);
    const [request] = requests;
    expect(request!.url).toBe(TOKEN_URL);
    expect(request!.method).toBe('POST');
    expect(request!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(request!.headers.authorization).toBe(
      `Basic ${Buffer.from('client-demo:demo-secret').toString('base64')}`,
    );
    expect(Object.fromEntries(request!.body)).toStrictEqual({
      grant_type: 'client_credentials',
      scope: 'optline/subscribers.write optline/messages.send optline/optouts.write optline/dsr.manage',
    });
  });

  it('uses a given client id and secret without reading the user pool', async () => {
    const { fetchImpl, requests } = tokenEndpoint();

    await deployedTarget(
      { cell: 'us', tenant: 'demo', client: { id: 'given', secret: 'given-secret' } },
      { cloudFormation, cognito, fetch: fetchImpl },
    );

    expect(idp.calls()).toHaveLength(0);
    expect(requests[0]!.headers.authorization).toBe(
      `Basic ${Buffer.from('given:given-secret').toString('base64')}`,
    );
  });

  it('names the outputs it found when one it needs is missing', () => {
    expect(() =>
      apiStackOutputs('Optline-us-Api', [{ OutputKey: 'TokenUrl', OutputValue: TOKEN_URL }]),
    ).toThrow(/Optline-us-Api lacks an output .*it has: TokenUrl/);
  });

  it('says when the stack does not exist', async () => {
    cfn.on(DescribeStacksCommand, { StackName: 'Optline-nope-Api' }).rejects(
      Object.assign(new Error('Stack with id Optline-nope-Api does not exist'), {
        name: 'ValidationError',
      }),
    );

    await expect(
      deployedTarget(
        { cell: 'nope', tenant: 'demo' },
        { cloudFormation, cognito, fetch: tokenEndpoint().fetchImpl },
      ),
    ).rejects.toThrow(
      'DescribeStacks Optline-nope-Api failed: ValidationError: Stack with id Optline-nope-Api does not exist',
    );
  });

  it('says when the tenant has no app client', async () => {
    idp.on(ListUserPoolClientsCommand).resolves({ UserPoolClients: [] });

    await expect(
      deployedTarget(
        { cell: 'us', tenant: 'ghost', client: undefined },
        {
          cloudFormation,
          cognito,
          fetch: tokenEndpoint().fetchImpl,
        },
      ),
    ).rejects.toThrow(`No app client optline-us-ghost in user pool ${POOL_ID}`);
  });

  it('reports a refused token request by its OAuth error code, never by the credentials', async () => {
    const { fetchImpl } = tokenEndpoint(400, { error: 'invalid_client' });

    const failure = deployedTarget(
      { cell: 'us', tenant: 'demo', client: { id: 'given', secret: 'given-secret' } },
      { cloudFormation, cognito, fetch: fetchImpl },
    );

    await expect(failure).rejects.toThrow(DeployedTargetError);
    await expect(failure).rejects.toThrow('The token endpoint answered HTTP 400: invalid_client');
    await expect(failure).rejects.not.toThrow(/given-secret/);
  });
});

describe('the names the smoke test looks for are the ones the stacks create', () => {
  it('finds the stage URL output the RestApi construct adds', () => {
    // GIVEN a RestApi with the construct id the Api stack gives it
    const stack = new Stack(new App(), 'Probe');
    const api = new RestApi(stack, 'Api');
    api.root.addMethod('GET', new MockIntegration());
    const outputs = Template.fromStack(stack).toJSON().Outputs as Record<string, unknown>;

    // WHEN the synthesized output keys come back from DescribeStacks
    const described = Object.keys(outputs).map((OutputKey) => ({ OutputKey, OutputValue: ENDPOINT }));

    // THEN the endpoint is found among them
    expect(apiStackOutputs('Probe', [...described, OUTPUTS[1]!, OUTPUTS[2]!]).endpoint).toBe(
      'https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/prod',
    );
  });

  it('names app clients and stacks as the constructs do', () => {
    const stack = new Stack(new App(), 'Probe');
    new MachineUserPool(stack, 'Auth', {
      name: 'optline-us',
      domainPrefix: 'optline-us-probe',
      resourceServerId: 'optline',
      scopes: { 'dsr.manage': 'DSR' },
      tenants: ['demo'],
    });
    Template.fromStack(stack).hasResourceProperties('AWS::Cognito::UserPoolClient', {
      ClientName: appClientNameOf('us', 'demo'),
    });
    for (const cell of DEFAULT_CELLS) expect(apiStackNameOf(cell.name)).toBe(apiStackName(cell));
  });

  it("reads a cell's region from cdk.json's cell configuration, or the default cells", () => {
    const dir = mkdtempSync(join(tmpdir(), 'smoke-cdk-json-'));
    try {
      const cdkJson = join(dir, 'cdk.json');
      writeFileSync(cdkJson, JSON.stringify({ context: {} }));
      expect(configuredRegion('us', cdkJson)).toBe('us-east-1');
      expect(configuredRegion('sandbox', cdkJson)).toBeUndefined();
      writeFileSync(
        cdkJson,
        JSON.stringify({
          context: {
            'optline:cells': [{ name: 'sandbox', region: 'us-west-2', regime: 'CCPA', tenants: ['demo'] }],
          },
        }),
      );
      expect(configuredRegion('sandbox', cdkJson)).toBe('us-west-2');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
