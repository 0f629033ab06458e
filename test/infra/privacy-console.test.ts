import { Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CfnMethod } from 'aws-cdk-lib/aws-apigateway';
import { ROLE_SCOPES, ROLES } from '../../lambdas/api/roles';
import { DEFAULT_CELLS, type CellConfig } from '../../lib/config';
import { addCell, newOptlineApp } from '../../lib/optline-app';

// Template JSON is untyped; tests index into it freely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
interface Resource {
  Type: string;
  Properties: Json;
  DependsOn?: string | string[];
  Metadata?: Json;
}

// GIVEN an eu cell with two tenants, synthesized without bundling: no assertion reads function code
const eu: CellConfig = { ...DEFAULT_CELLS[0]!, tenants: ['demo', 'acme'] };
const app = newOptlineApp({ context: { 'aws:cdk:bundling-stacks': [] } });
const { api } = addCell(app, eu);
const template = Template.fromStack(api);
const resources = template.toJSON().Resources as Record<string, Resource>;
const idOf = (construct: { node: { defaultChild?: unknown } }): string =>
  api.getLogicalId(construct.node.defaultChild as Parameters<typeof api.getLogicalId>[0]);
const ofType = (type: string): Array<[string, Resource]> =>
  Object.entries(resources).filter(([, resource]) => resource.Type === type);

const consoleFunctionId = idOf(api.console.function);
const clientId = idOf(api.consoleSignIn.client);
const restApiId = idOf(api.api);
const domainId = idOf(api.auth.domain);
const resourceServerId = idOf(api.auth.resourceServer);

/** Full path of every API Gateway resource, by logical id. */
const pathOf = (logicalId: string): string => {
  const resource = resources[logicalId]!;
  const parent = resource.Properties.ParentId as { Ref?: string };
  return `${parent.Ref ? pathOf(parent.Ref) : ''}/${resource.Properties.PathPart}`;
};
const anonymousMethods = ofType('AWS::ApiGateway::Method').filter(
  ([, method]) => method.Properties.AuthorizationType !== 'COGNITO_USER_POOLS',
);
const methodAt = (method: string, path: string): Resource | undefined =>
  anonymousMethods.find(
    ([, m]) => m.Properties.HttpMethod === method && pathOf(m.Properties.ResourceId.Ref) === path,
  )?.[1];

/** `https://<api id>.execute-api.eu-west-1.<url suffix>/prod/console/`, as the template renders it. */
const CONSOLE_URL = {
  'Fn::Join': [
    '',
    ['https://', { Ref: restApiId }, '.execute-api.eu-west-1.', { Ref: 'AWS::URLSuffix' }, '/prod/console/'],
  ],
};
const scopeOf = (scope: string) => ({ 'Fn::Join': ['', [{ Ref: resourceServerId }, `/${scope}`]] });
const STAFF_SCOPES = [...new Set(Object.values(ROLE_SCOPES).flat())];

/** Renders a Fn::Join of literals and Refs as text, Refs as `<LogicalId>`. */
const rendered = (value: Json): string =>
  typeof value === 'string'
    ? value
    : (value['Fn::Join'][1] as Json[])
        .map((part) => (typeof part === 'string' ? part : `<${part.Ref ?? JSON.stringify(part)}>`))
        .join('');

describe('the privacy console in a cell (DESIGN §11)', () => {
  describe('on the API', () => {
    it('serves GET /console and GET /console/{proxy+} through the console function, with no authorizer', () => {
      for (const path of ['/console', '/console/{proxy+}']) {
        expect(methodAt('GET', path)?.Properties).toMatchObject({
          AuthorizationType: 'NONE',
          Integration: {
            Type: 'AWS_PROXY',
            Uri: { 'Fn::Join': ['', expect.arrayContaining([{ 'Fn::GetAtt': [consoleFunctionId, 'Arn'] }])] },
          },
        });
      }
    });

    it("proxies POST /console/oauth2/token to the Cognito domain's token endpoint, so the code exchange stays same-origin", () => {
      const token = methodAt('POST', '/console/oauth2/token');
      expect(token?.Properties).toMatchObject({
        AuthorizationType: 'NONE',
        Integration: {
          Type: 'HTTP_PROXY',
          IntegrationHttpMethod: 'POST',
          // Text passthrough (no binaryMediaTypes): Cognito must answer uncompressed.
          RequestParameters: { 'integration.request.header.Accept-Encoding': "'identity'" },
        },
      });
      expect(rendered(token!.Properties.Integration.Uri)).toBe(
        `https://<${domainId}>.auth.eu-west-1.amazoncognito.com/oauth2/token`,
      );
    });

    it('outputs the console URL, for the engineer who deploys the cell to hand to staff', () => {
      template.hasOutput('ConsoleUrl', { Value: CONSOLE_URL });
    });

    it('has no other method without the Cognito authorizer', () => {
      expect(
        anonymousMethods
          .map(([, m]) => `${m.Properties.HttpMethod} ${pathOf(m.Properties.ResourceId.Ref)}`)
          .sort(),
      ).toEqual(['GET /console', 'GET /console/{proxy+}', 'POST /console/oauth2/token']);
    });

    it('lets API Gateway invoke the console function from its two methods of the stage only', () => {
      const [[stageId]] = ofType('AWS::ApiGateway::Stage') as [[string, Resource]];
      const permissions = ofType('AWS::Lambda::Permission').filter(
        ([, p]) =>
          JSON.stringify(p.Properties.FunctionName) ===
          JSON.stringify({ 'Fn::GetAtt': [consoleFunctionId, 'Arn'] }),
      );
      expect(
        permissions.map(([, p]) => rendered(p.Properties.SourceArn).replace(/^.*\/(?=GET\/)/, '')).sort(),
      ).toEqual(['GET/console', 'GET/console/*']);
      for (const [, permission] of permissions) {
        expect(JSON.stringify(permission.Properties.SourceArn)).toContain(JSON.stringify({ Ref: stageId }));
      }
    });

    it('acknowledges the missing authorizer on exactly those three methods, for cdk-nag and checkov, with the reason', () => {
      expect(api.console.methods).toHaveLength(3);
      for (const [index, method] of api.console.methods.entries()) {
        const cfn = method.node.defaultChild as CfnMethod;
        const acknowledged = Object.assign(
          {},
          ...cfn.node.metadata
            .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
            .map((m) => m.data as Record<string, string>),
        ) as Record<string, string>;
        expect(Object.keys(acknowledged).sort()).toEqual([
          'AwsSolutions::AwsSolutions-APIG4',
          'AwsSolutions::AwsSolutions-COG4',
        ]);
        // The file methods say they serve no data; the token method says what authenticates its exchange.
        expect(Object.values(acknowledged)[0]).toMatch(
          index < 2 ? /static files and its sign-in config/ : /authorization code and its PKCE verifier/,
        );
        const skips = resources[idOf(method)]!.Metadata.checkov.skip as Array<{ id: string }>;
        expect(skips.map((skip) => skip.id)).toEqual(['CKV_AWS_59']);
      }
      const authorized = ofType('AWS::ApiGateway::Method').filter(
        ([, m]) => m.Properties.AuthorizationType === 'COGNITO_USER_POOLS',
      );
      expect(authorized.length).toBeGreaterThan(0);
      for (const [, method] of authorized) expect(method.Metadata?.checkov).toBeUndefined();
    });
  });

  describe('the console function', () => {
    const fn = resources[consoleFunctionId]!;
    const roleId = fn.Properties.Role['Fn::GetAtt'][0] as string;
    const statements = ofType('AWS::IAM::Policy')
      .filter(([, p]) => (p.Properties.Roles as Json[]).some((role) => role.Ref === roleId))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Json[]);

    it('runs Node.js 22 on arm64 with tracing, and is told only its sign-in config', () => {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
      });
      expect(Object.keys(fn.Properties.Environment.Variables).sort()).toEqual([
        'CONSOLE_CONFIG',
        'NODE_OPTIONS',
        'POWERTOOLS_METRICS_NAMESPACE',
        'POWERTOOLS_SERVICE_NAME',
      ]);
      const config = JSON.parse(rendered(api.resolve(fn.Properties.Environment.Variables.CONSOLE_CONFIG)));
      const cognito = `https://<${domainId}>.auth.eu-west-1.amazoncognito.com`;
      expect(config).toEqual({
        mode: 'cognito',
        authorizeUrl: `${cognito}/oauth2/authorize`,
        tokenUrl: '/prod/console/oauth2/token',
        clientId: `<${clientId}>`,
        scopes: ['openid', ...STAFF_SCOPES.map((scope) => `<${resourceServerId}>/${scope}`)],
        logoutUrl: `${cognito}/logout?client_id=<${clientId}>&logout_uri=https://<${restApiId}>.execute-api.eu-west-1.<AWS::URLSuffix>/prod/console/`,
      });
    });

    it('is granted its own log group and tracing only: no table, key, queue or bucket', () => {
      const actions = statements.flatMap((s) => [s.Action].flat() as string[]).sort();
      expect(actions).toEqual([
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
      ]);
    });
  });

  describe('Cognito', () => {
    const client = resources[clientId]!.Properties;

    it('gives the console a public client (no secret) with the authorization code grant only, for PKCE', () => {
      expect(client).toMatchObject({
        ClientName: 'optline-eu.console',
        GenerateSecret: false,
        AllowedOAuthFlows: ['code'],
        AllowedOAuthFlowsUserPoolClient: true,
        // Managed login offers what the client allows: choice-based sign-in, no plain-password API flow.
        ExplicitAuthFlows: expect.arrayContaining(['ALLOW_USER_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']),
        SupportedIdentityProviders: ['COGNITO'],
      });
    });

    it("comes back to the stage's /console/ URL only, after sign-in and sign-out", () => {
      expect(client.ExplicitAuthFlows).not.toContain('ALLOW_USER_PASSWORD_AUTH');
      expect(client.CallbackURLs).toEqual([CONSOLE_URL]);
      expect(client.LogoutURLs).toEqual([CONSOLE_URL]);
    });

    it('may ask for openid and the scopes of the staff roles, and never messages.send', () => {
      expect(client.AllowedOAuthScopes).toEqual(['openid', ...STAFF_SCOPES.map(scopeOf)]);
      expect(JSON.stringify(client.AllowedOAuthScopes)).not.toContain('messages.send');
    });

    it('serves managed login (version 2) with the default branding style of the console client', () => {
      expect(resources[domainId]!.Properties.ManagedLoginVersion).toBe(2);
      template.hasResourceProperties('AWS::Cognito::ManagedLoginBranding', {
        ClientId: { Ref: clientId },
        UseCognitoProvidedValues: true,
      });
    });

    it('is on the Essentials plan, the lowest one with managed login', () => {
      // https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-managed-login.html
      template.hasResourceProperties('AWS::Cognito::UserPool', { UserPoolTier: 'ESSENTIALS' });
    });

    it('has one group per tenant and role, named <tenant>.<role>', () => {
      const groups = ofType('AWS::Cognito::UserPoolGroup').map(([, g]) => g.Properties.GroupName as string);
      expect(groups.sort()).toEqual(
        eu.tenants.flatMap((tenant) => ROLES.map((role) => `${tenant}.${role}`)).sort(),
      );
    });

    it('tells every API function the console client id, beside the tenant clients', () => {
      const apiFunctions = Object.values(api.functions).map((func) => resources[idOf(func)]!);
      expect(apiFunctions.length).toBeGreaterThan(0);
      for (const func of apiFunctions) {
        expect(func.Properties.Environment.Variables.CONSOLE_CLIENT_ID).toEqual({ Ref: clientId });
      }
    });
  });

  it('makes no dependency cycle: the client URL names the API by id, not by its deployment', () => {
    const edges = new Map<string, Set<string>>();
    const referencesOf = (value: Json, into: Set<string>): void => {
      if (Array.isArray(value)) value.forEach((item) => referencesOf(item, into));
      else if (value && typeof value === 'object') {
        if (typeof value.Ref === 'string' && resources[value.Ref]) into.add(value.Ref);
        if (Array.isArray(value['Fn::GetAtt']) && resources[value['Fn::GetAtt'][0]])
          into.add(value['Fn::GetAtt'][0]);
        Object.values(value).forEach((item) => referencesOf(item, into));
      }
    };
    for (const [id, resource] of Object.entries(resources)) {
      const into = new Set<string>([resource.DependsOn ?? []].flat());
      referencesOf(resource.Properties, into);
      edges.set(id, into);
    }
    const state = new Map<string, 'visiting' | 'done'>();
    const cycleFrom = (id: string, trail: string[]): string[] | undefined => {
      if (state.get(id) === 'done') return undefined;
      if (state.get(id) === 'visiting') return [...trail, id];
      state.set(id, 'visiting');
      for (const next of edges.get(id) ?? []) {
        const cycle = cycleFrom(next, [...trail, id]);
        if (cycle) return cycle;
      }
      state.set(id, 'done');
      return undefined;
    };
    const cycles = Object.keys(resources)
      .map((id) => cycleFrom(id, []))
      .filter(Boolean);
    expect(cycles).toEqual([]);
    // The deployment waits for the methods, the methods for the console function, the function for the client.
    expect(edges.get(clientId)).toContain(restApiId);
  });
});
