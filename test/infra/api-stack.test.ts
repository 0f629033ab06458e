import type { CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import {
  CAMPAIGN_API_TABLES,
  DSR_API_TABLES,
  MESSAGE_TABLES,
  OPTOUT_TABLES,
  STATS_TABLES,
  INCIDENT_TABLES,
  SUBSCRIBER_TABLES,
} from '../../lambdas/api/function-tables';
import { READ_SCOPES, ROLE_SCOPES, ROLES } from '../../lambdas/api/roles';
import {
  API_FUNCTIONS,
  queryParameters,
  ROUTES,
  SCOPES,
  TENANT_SCOPES,
  type ApiFunction,
} from '../../lambdas/api/routes';
import { JOB_NAMES, type JobName } from '../../lambdas/jobs/registry';
import { createDsrRequest } from '../../lambdas/shared/dsr-schemas';
import { tableEnvVar, type TableId } from '../../lambdas/shared/env';
import * as z from '../../lambdas/shared/zod';
import { DEFAULT_API_LIMITS, DEFAULT_CELLS, DEFAULT_SMS_MPS, type CellConfig } from '../../lib/config';
import type { PlatformFunction } from '../../lib/constructs/platform-function';
import { requestModelSchema } from '../../lib/constructs/request-model';
import { addCell, newOptlineApp } from '../../lib/optline-app';
import { TABLE_IDS } from '../../lib/stacks/data-stack';

// Template JSON is untyped; tests index into it freely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
interface Resource {
  Type: string;
  Properties: Json;
  DependsOn?: string[];
}
interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

/**
 * What each API function should reach, stated here rather than read back from the stack: the tables its
 * handler reads from the environment (the route modules' own lists; test/infra/table-access.test.ts checks
 * what it may do with each), whether it sends SMS (`reserved`: with concurrency sized from the cell MPS;
 * `paced`: paced only, no reserved concurrency), and whether it mirrors opt-outs to the provider opt-out lists.
 * A new API function fails to compile until it is described here.
 */
const EXPECTED: Readonly<
  Record<
    ApiFunction,
    {
      tables: readonly TableId[];
      /** Sends SMS: paced to the cell MPS; its concurrency is reserved only where the cell asks for it. */
      sendsSms: boolean;
      /** How it keeps the provider opt-out lists: `add` only (records opt-outs), or `mirror` (opt-ins too). */
      providerOptOuts: 'add' | 'mirror' | false;
      /** Environment variables beyond tables, keys, tenants, Powertools, SMS pacing and the opt-out list. */
      extraEnv?: readonly string[];
      /** Gets the subject-id HMAC key: every function that sees phone numbers. @default true */
      subjectIdKey?: false;
    }
  >
> = {
  subscribers: { tables: SUBSCRIBER_TABLES, sendsSms: true, providerOptOuts: 'mirror' },
  messages: { tables: MESSAGE_TABLES, sendsSms: true, providerOptOuts: false },
  optouts: { tables: OPTOUT_TABLES, sendsSms: false, providerOptOuts: 'add' },
  dsr: {
    tables: DSR_API_TABLES,
    sendsSms: false,
    providerOptOuts: false,
    extraEnv: ['CELL_REGIME', 'DSR_QUEUE_URL', 'EXPORT_BUCKET'],
  },
  campaigns: {
    tables: CAMPAIGN_API_TABLES,
    sendsSms: false,
    providerOptOuts: false,
    subjectIdKey: false,
    extraEnv: [
      'CAMPAIGN_QUEUE_URL',
      'CAMPAIGN_QUEUE_ARN',
      'CAMPAIGN_SCHEDULER_ROLE_ARN',
      'CAMPAIGN_SCHEDULE_GROUP',
    ],
  },
  stats: { tables: STATS_TABLES, sendsSms: false, providerOptOuts: false, subjectIdKey: false },
  incidents: {
    tables: INCIDENT_TABLES,
    sendsSms: false,
    providerOptOuts: false,
    subjectIdKey: false,
    extraEnv: ['INCIDENT_TOPICS', 'CELL_TENANTS'],
  },
};
/** The scheduled jobs that bind the provider opt-out list (all with 'reconcile' access). */
const OPT_OUT_LIST_JOBS: readonly JobName[] = ['optout-reconcile'];

/** The only actions AWS offers no resource-level permission for, among those optline uses. */
const XRAY_ACTIONS = ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'];
const SMS_PUBLISH = 'sns:Publish';
const SMS_SERVICE = /^(sns|sms-voice|mobiletargeting):/;
/** What bindSmsSending grants: sending only. */
const SMS_SENDING_ACTIONS = [SMS_PUBLISH, 'sms-voice:SendTextMessage', 'mobiletargeting:SendMessages'];
/** What bindProviderOptOutList grants on the cell's End User Messaging opt-out list, by access level. */
const OPT_OUT_LIST_ADD = 'sms-voice:PutOptedOutNumber';
const OPT_OUT_LIST_MIRROR = [OPT_OUT_LIST_ADD, 'sms-voice:DeleteOptedOutNumber'];
/** SNS's SMS opt-out calls: they have no resource ARN, so AWS requires Resource "*" for them. */
const SNS_OPT_OUT_MIRROR = ['sns:CheckIfPhoneNumberIsOptedOut', 'sns:OptInPhoneNumber'];
/** Listing the SNS opt-out list: the reconcile job only. */
const SNS_OPT_OUT_LIST = 'sns:ListPhoneNumbersOptedOut';

// GIVEN an eu cell with two tenants and its own limits, and a us cell on the default limits that reserves
// concurrency (one synth for the file; no assertion reads function code, so bundling is skipped)
const eu: CellConfig = {
  ...DEFAULT_CELLS[0]!,
  tenants: ['demo', 'acme'],
  apiLimits: { rateLimit: 25, burstLimit: 50, perIpLimit: 1500 },
};
const app = newOptlineApp({ context: { 'aws:cdk:bundling-stacks': [] } });
const cell = addCell(app, eu);
const us = addCell(app, { ...DEFAULT_CELLS[1]!, reserveConcurrency: true });
const template = Template.fromStack(cell.api);
const usTemplate = Template.fromStack(us.api);
const { api, data } = cell;

/** How a Data stack value appears in an Api stack: a CloudFormation import, computed rather than hard-coded. */
const importedIn = (stack: typeof api, value: string): unknown =>
  JSON.parse(JSON.stringify(stack.resolve(value)));
const imported = (value: string): unknown => importedIn(api, value);

const only = (type: string, props?: object): [string, Resource] => {
  const found = Object.entries(template.findResources(type, props ? { Properties: props } : undefined));
  expect(found).toHaveLength(1);
  return found[0] as [string, Resource];
};

const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);
const actionsOf = (statements: Statement[]): string[] => statements.flatMap((s) => list(s.Action));
const onAnyResource = (statement: Statement): boolean => list(statement.Resource).includes('*');

/** Every IAM statement of a template: role policies, managed policies and inline policies of roles. */
const allStatements = (of: Template): Statement[] => [
  ...Object.values(of.findResources('AWS::IAM::Policy')).flatMap(
    (p) => p.Properties.PolicyDocument.Statement as Statement[],
  ),
  ...Object.values(of.findResources('AWS::IAM::ManagedPolicy')).flatMap(
    (p) => p.Properties.PolicyDocument.Statement as Statement[],
  ),
  ...Object.values(of.findResources('AWS::IAM::Role')).flatMap((r) =>
    ((r.Properties.Policies ?? []) as Array<{ PolicyDocument: { Statement: Statement[] } }>).flatMap(
      (p) => p.PolicyDocument.Statement,
    ),
  ),
];

/** Full path of every API Gateway resource, by logical id. */
const resources = template.findResources('AWS::ApiGateway::Resource') as Record<string, Resource>;
const pathOf = (logicalId: string): string => {
  const resource = resources[logicalId]!;
  const parent = resource.Properties.ParentId as { Ref?: string };
  return `${parent.Ref ? pathOf(parent.Ref) : ''}/${resource.Properties.PathPart}`;
};
const methods = Object.values(template.findResources('AWS::ApiGateway::Method')) as Resource[];
const methodFor = (method: string, path: string): Resource | undefined =>
  methods.find((m) => m.Properties.HttpMethod === method && pathOf(m.Properties.ResourceId.Ref) === path);

const [authorizerId] = only('AWS::ApiGateway::Authorizer', { Type: 'COGNITO_USER_POOLS' });
const [resourceServerId] = only('AWS::Cognito::UserPoolResourceServer', { Identifier: 'optline' });
const [validatorId] = only('AWS::ApiGateway::RequestValidator', {
  ValidateRequestBody: true,
  ValidateRequestParameters: true,
});

/** One function as deployed: its logical id, its resource, its role and the statements of that role. */
interface DeployedFunction {
  readonly id: string;
  readonly fn: Resource;
  readonly roleId: string;
  readonly statements: Statement[];
  /** Actions of the statements that name the resource, alone or with others. */
  readonly actionsOn: (resource: unknown) => string[];
}
/** Finds a function by its name without the `optline-` prefix (`messages`, `inbound-sms`). */
const deployedFunction = (of: Template, name: string): DeployedFunction => {
  const found = Object.entries(
    of.findResources('AWS::Lambda::Function', {
      Properties: {
        Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: `optline-${name}` }) },
      },
    }),
  );
  expect(found).toHaveLength(1);
  const [id, fn] = found[0] as [string, Resource];
  const roleId = (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  const statements = Object.values(of.findResources('AWS::IAM::Policy'))
    .filter((p) => (p.Properties.Roles as Array<{ Ref: string }>).some((r) => r.Ref === roleId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
  const actionsOn = (resource: unknown): string[] =>
    actionsOf(statements.filter((s) => JSON.stringify(s.Resource).includes(JSON.stringify(resource))));
  return { id, fn, roleId, statements, actionsOn };
};
const deployed = Object.fromEntries(
  API_FUNCTIONS.map((name) => [name, deployedFunction(template, name)]),
) as Record<ApiFunction, DeployedFunction>;
const usDeployed = Object.fromEntries(
  API_FUNCTIONS.map((name) => [name, deployedFunction(usTemplate, name)]),
) as Record<ApiFunction, DeployedFunction>;

/**
 * An ARN as a stack of a known region renders it: the partition as a literal (`arn:aws…`, CDK feature flag
 * `@aws-cdk/core:enablePartitionLiterals`), adjacent literals joined, a plain string when nothing is left to resolve.
 */
const arn = (...parts: unknown[]): unknown => {
  const merged: unknown[] = [];
  for (const part of ['arn:aws', ...parts]) {
    const last = merged[merged.length - 1];
    if (typeof part === 'string' && typeof last === 'string') merged[merged.length - 1] = last + part;
    else merged.push(part);
  }
  return merged.length === 1 ? merged[0] : { 'Fn::Join': ['', merged] };
};
/** The name, Api stack and Data stack of the test cell in a region. */
const cellOf = (region: string): string => (region === eu.region ? eu.name : DEFAULT_CELLS[1]!.name);
const stackIn = (region: string): typeof api => (region === eu.region ? cell.api : us.api);
const dataIn = (region: string): typeof data => (region === eu.region ? cell.data : us.data);
/** What pins a statement on Resource "*" to a region. */
const inRegion = (region: string) => ({ StringEquals: { 'aws:RequestedRegion': region } });
/** The SMS statements of bindSmsSending, for a stack in the given region of the deploying account. */
const smsStatements = (region: string): Statement[] => [
  { Effect: 'Allow', Action: SMS_PUBLISH, Resource: '*', Condition: inRegion(region) },
  { Effect: 'Deny', Action: SMS_PUBLISH, Resource: arn(':sns:*:*:*') },
  // The cell's own configuration set (and identities, which these cells have none of) by ARN…
  {
    Effect: 'Allow',
    Action: 'sms-voice:SendTextMessage',
    Resource: importedIn(stackIn(region), dataIn(region).configurationSet.attrArn),
  },
  // …and what carries the cell tag: numbers registered by hand.
  {
    Effect: 'Allow',
    Action: 'sms-voice:SendTextMessage',
    Resource: ['phone-number', 'pool', 'sender-id', 'configuration-set'].map((type) =>
      arn(`:sms-voice:${region}:`, { Ref: 'AWS::AccountId' }, `:${type}/*`),
    ),
    Condition: { StringEquals: { 'aws:ResourceTag/optline:cell': cellOf(region) } },
  },
  {
    Effect: 'Allow',
    Action: 'mobiletargeting:SendMessages',
    Resource: arn(`:mobiletargeting:${region}:`, { Ref: 'AWS::AccountId' }, ':apps/*/messages'),
  },
];
/**
 * The statements of bindProviderOptOutList: `mirror` gets the cell's list only, and SNS on "*"; `add` gets
 * PutOptedOutNumber on the list and nothing of SNS.
 */
const optOutStatements = (stack: typeof api, listArn: string, access: 'add' | 'mirror'): Statement[] =>
  access === 'add'
    ? [{ Effect: 'Allow', Action: OPT_OUT_LIST_ADD, Resource: importedIn(stack, listArn) }]
    : [
        { Effect: 'Allow', Action: OPT_OUT_LIST_MIRROR, Resource: importedIn(stack, listArn) },
        { Effect: 'Allow', Action: SNS_OPT_OUT_MIRROR, Resource: '*', Condition: inRegion(stack.region) },
      ];
const optOutMirrorStatements = (stack: typeof api, listArn: string): Statement[] =>
  optOutStatements(stack, listArn, 'mirror');
/** The statements of a role that name an SNS, End User Messaging or Pinpoint action. */
const smsServiceStatements = (statements: Statement[]): Statement[] =>
  statements.filter((s) => list(s.Action).some((a) => SMS_SERVICE.test(a)));
/** Publish on each tenant's breach-notification topic, and nothing else on SNS (DESIGN §12). */
const incidentTopicStatements = (stack: { api: typeof api; data: typeof data }): Statement[] =>
  [...stack.data.incidentTopics.topics.values()].map((topic) => ({
    Effect: 'Allow',
    Action: 'sns:Publish',
    Resource: importedIn(stack.api, topic.topicArn),
  }));
const smsSenders = API_FUNCTIONS.filter((name) => EXPECTED[name].sendsSms);
/** Functions that publish to no SNS topic: incidents publishes breach notifications to tenants' topics. */
const nonSmsSenders = API_FUNCTIONS.filter((name) => !EXPECTED[name].sendsSms && name !== 'incidents');
const mirrors = API_FUNCTIONS.filter((name) => EXPECTED[name].providerOptOuts === 'mirror');
const addOnly = API_FUNCTIONS.filter((name) => EXPECTED[name].providerOptOuts === 'add');
const nonMirrors = API_FUNCTIONS.filter((name) => !EXPECTED[name].providerOptOuts);
const inbound = deployedFunction(template, 'inbound-sms');
/** Logical id of the execution role of a function construct of a stack. */
const roleIdOf = (stack: typeof api, fn: PlatformFunction): string =>
  stack.getLogicalId(fn.executionRole.node.defaultChild as CfnElement);
/** Logical id of the inline policy of a function construct's execution role. */
const policyIdOf = (fn: PlatformFunction): string =>
  api.getLogicalId(fn.executionRole.node.findChild('DefaultPolicy').node.defaultChild as CfnElement);
/** Logical ids of the roles whose policies allow an action on Resource "*". */
const rolesAllowedOnAnyResource = (of: Template, action: string): string[] =>
  Object.values(of.findResources('AWS::IAM::Policy'))
    .filter((p) =>
      (p.Properties.PolicyDocument.Statement as Statement[]).some(
        (s) => s.Effect === 'Allow' && onAnyResource(s) && list(s.Action).includes(action),
      ),
    )
    .flatMap((p) => (p.Properties.Roles as Array<{ Ref: string }>).map((r) => r.Ref))
    .sort();

describe('Optline-eu-Api', () => {
  // An export in use blocks every Data update that changes its value ("Export … cannot be updated as it is in
  // use"); a weak reference does not.
  // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-getstackoutput.html
  it('reads Data stack values with Fn::GetStackOutput, so the Data stack exports nothing a later Data update could be blocked by', () => {
    for (const stack of [data, us.data, api, us.api]) {
      const outputs = Object.values(Template.fromStack(stack).toJSON().Outputs ?? {}) as Array<{
        Export?: unknown;
      }>;
      expect(outputs.filter((output) => output.Export !== undefined)).toEqual([]);
    }
    const json = JSON.stringify(template.toJSON());
    expect(json).not.toContain('Fn::ImportValue');
    expect(imported(data.tables.Subscribers.tableStreamArn!)).toEqual({
      'Fn::GetStackOutput': {
        StackName: 'Optline-eu-Data',
        Region: 'eu-west-1',
        OutputName: expect.any(String),
      },
    });
  });

  it('is a stateless stack pinned to the cell region, next to the Data stack', () => {
    expect(api.stackName).toBe('Optline-eu-Api');
    expect(api.region).toBe('eu-west-1');
    expect(api.dependencies).toContain(data);
    template.resourceCountIs('AWS::DynamoDB::GlobalTable', 0);
    template.resourceCountIs('AWS::KMS::Key', 0);
  });

  describe('routes', () => {
    it.each(ROUTES.map((r) => [r.method, r.path, r]))(
      'serves %s %s through its function, behind the Cognito authorizer with the route scope',
      (method, path, route) => {
        const found = methodFor(method, path);
        expect(found).toBeDefined();
        expect(found!.Properties).toMatchObject({
          AuthorizationType: 'COGNITO_USER_POOLS',
          AuthorizerId: { Ref: authorizerId },
          AuthorizationScopes: route.scopes.map((scope) => ({
            'Fn::Join': ['', [{ Ref: resourceServerId }, `/${scope}`]],
          })),
          RequestValidatorId: { Ref: validatorId },
          OperationName: route.operationId,
          Integration: {
            Type: 'AWS_PROXY',
            Uri: {
              'Fn::Join': ['', expect.arrayContaining([{ 'Fn::GetAtt': [deployed[route.fn].id, 'Arn'] }])],
            },
          },
        });
        const uri = JSON.stringify(found!.Properties.Integration.Uri);
        for (const other of API_FUNCTIONS.filter((name) => name !== route.fn)) {
          expect(uri).not.toContain(`"${deployed[other].id}"`);
        }
      },
    );

    it.each(ROUTES.map((r) => [r.method, r.path, r]))(
      'validates the body of %s %s against the model converted from its zod schema, if it takes one',
      (method, path, route) => {
        const { RequestModels: models } = methodFor(method, path)!.Properties;
        if (!route.body) {
          expect(models).toBeUndefined();
          return;
        }
        const modelId = (models as Record<string, { Ref: string }>)['application/json']!.Ref;
        const model = template.toJSON().Resources[modelId] as Resource;
        expect(model.Type).toBe('AWS::ApiGateway::Model');
        expect(model.Properties.ContentType).toBe('application/json');
        expect(model.Properties.Schema).toEqual(requestModelSchema(route.body));
        expect(model.Properties.Schema.$schema).toBe('http://json-schema.org/draft-04/schema#');
      },
    );

    it('requires every path parameter, required query parameter and required header, so parameter validation refuses a request without it', () => {
      const withParams = ROUTES.filter((r) => r.path.includes('{'));
      expect(withParams.map((r) => r.path)).toEqual(
        expect.arrayContaining(['/v1/subscribers/{phone}', '/v1/messages/{messageId}']),
      );
      expect(methodFor('POST', '/v1/messages')!.Properties.RequestParameters).toMatchObject({
        'method.request.header.Idempotency-Key': true,
      });
      expect(methodFor('GET', '/v1/stats/daily')!.Properties.RequestParameters).toEqual({
        'method.request.querystring.from': true,
        'method.request.querystring.to': true,
      });
      // Optional query parameters are declared, not required: a page cursor or a status filter.
      expect(methodFor('GET', '/v1/dsr')!.Properties.RequestParameters).toEqual({
        'method.request.querystring.status': false,
        'method.request.querystring.cursor': false,
        'method.request.querystring.limit': false,
      });
      for (const route of ROUTES) {
        const names = [...route.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!);
        expect(methodFor(route.method, route.path)!.Properties.RequestParameters).toEqual(
          Object.fromEntries([
            ...names.map((name) => [`method.request.path.${name}`, true]),
            ...queryParameters(route).map(({ name, required }) => [
              `method.request.querystring.${name}`,
              required,
            ]),
            ...(route.headers ?? []).map((name) => [`method.request.header.${name}`, true]),
          ]),
        );
      }
    });

    it('has no method beyond the route table and the console, so no data is reachable without the authorizer', () => {
      // The console's three anonymous methods (static files, sign-in config, token proxy): privacy-console.test.ts.
      const consolePaths = /^\/console(\/|$)/;
      const dataMethods = methods.filter((m) => !consolePaths.test(pathOf(m.Properties.ResourceId.Ref)));
      expect(dataMethods).toHaveLength(ROUTES.length);
      expect(methods).toHaveLength(ROUTES.length + 3);
      for (const method of dataMethods) {
        expect(method.Properties.AuthorizationType).toBe('COGNITO_USER_POOLS');
      }
    });

    it('lets API Gateway invoke each function from its own routes of the stage only, never from test invocations', () => {
      const [stageId] = only('AWS::ApiGateway::Stage');
      const permissions = Object.values(template.findResources('AWS::Lambda::Permission')) as Resource[];
      // And the console function's two methods (privacy-console.test.ts).
      expect(permissions).toHaveLength(ROUTES.length + 2);
      for (const permission of permissions) {
        expect(permission.Properties).toMatchObject({
          Principal: 'apigateway.amazonaws.com',
          SourceArn: { 'Fn::Join': ['', expect.arrayContaining([{ Ref: stageId }])] },
        });
      }
      for (const name of API_FUNCTIONS) {
        const routes = ROUTES.filter((r) => r.fn === name);
        expect(routes.length).toBeGreaterThan(0);
        expect(
          permissions.filter(
            (p) =>
              JSON.stringify(p.Properties.FunctionName) ===
              JSON.stringify({ 'Fn::GetAtt': [deployed[name].id, 'Arn'] }),
          ),
        ).toHaveLength(routes.length);
      }
    });
  });

  describe('request models', () => {
    it('inline the time-zone definition and drop keywords draft 4 lacks, keeping the draft-4 ones', () => {
      const schema = JSON.stringify(requestModelSchema(createDsrRequest));
      for (const absent of ['"$ref"', '"definitions"', '"if"', '"then"', '"else"', '"const"', '"examples"'])
        expect(schema).not.toContain(absent);
      expect(schema).toContain('"Europe/Paris"');
      expect(schema).toContain('"uniqueItems":true');
      expect(schema).toContain('"minProperties":1');
    });

    it('drop format keywords but keep the patterns that check the same thing, and keep user field names', () => {
      const schema = requestModelSchema(z.strictObject({ format: z.string(), at: z.iso.datetime() })) as {
        properties: Record<string, Record<string, unknown>>;
      };
      expect(schema.properties.format).toEqual({ type: 'string' });
      expect(schema.properties.at!.format).toBeUndefined();
      expect(schema.properties.at!.pattern).toEqual(expect.any(String));
      expect(JSON.stringify(template.findResources('AWS::ApiGateway::Model'))).not.toContain('"format"');
    });
  });

  describe.each(API_FUNCTIONS)('the %s function', (name) => {
    const { fn, roleId, statements, actionsOn } = deployed[name];
    const expected = EXPECTED[name];
    const otherTables = TABLE_IDS.filter((id) => !expected.tables.includes(id));

    it('runs Node.js 22 on arm64 with active tracing and JSON logs in its own log group', () => {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: expect.any(String) } },
      });
      const logGroup = template.toJSON().Resources[fn.Properties.LoggingConfig.LogGroup.Ref] as Resource;
      expect(logGroup.Properties).toEqual({
        RetentionInDays: 90,
        KmsKeyId: imported(data.logsKey.keyArn),
      });
      const others = API_FUNCTIONS.filter((other) => other !== name).map((other) => deployed[other].fn);
      for (const other of others) {
        expect(other.Properties.LoggingConfig.LogGroup).not.toEqual(fn.Properties.LoggingConfig.LogGroup);
        expect(other.Properties.Role).not.toEqual(fn.Properties.Role);
      }
    });

    it('is told its tables, its HMAC key, its tenants and its Powertools settings through the environment', () => {
      const env = fn.Properties.Environment.Variables as Record<string, unknown>;
      for (const id of expected.tables) {
        expect(env[tableEnvVar(id)]).toEqual(imported(data.tables[id].tableName));
      }
      expect(env.SUBJECT_ID_KEY_ID).toEqual(
        expected.subjectIdKey === false ? undefined : imported(data.subjectIdKey.keyArn),
      );
      expect(env).toMatchObject({
        POWERTOOLS_SERVICE_NAME: `optline-${name}`,
        POWERTOOLS_METRICS_NAMESPACE: 'Optline',
        NODE_OPTIONS: '--enable-source-maps',
      });
      // Tenants' clients only: not the console's public one (no secret), nor the operator's (OPERATOR_CLIENT_ID).
      const clients = Object.fromEntries(
        Object.entries(
          template.findResources('AWS::Cognito::UserPoolClient', { Properties: { GenerateSecret: true } }),
        ).filter(([, client]) => !(client.Properties.ClientName as string).endsWith('-Operator')),
      );
      const tenantClients = api.resolve(env.TENANT_CLIENTS) as { 'Fn::Join': [string, unknown[]] };
      const rendered = tenantClients['Fn::Join'][1]
        .map((part) => (typeof part === 'string' ? part : `<${(part as { Ref: string }).Ref}>`))
        .join('');
      const tenantsByClient = Object.fromEntries(
        Object.entries(clients).map(([id, client]) => [
          `<${id}>`,
          client.Properties.ClientName.split('-').pop(),
        ]),
      );
      expect(JSON.parse(rendered)).toEqual(tenantsByClient);
      expect(Object.values(tenantsByClient).sort()).toEqual(['acme', 'demo']);
    });

    it('has only the environment variables it is given: exactly its own tables, none of another table', () => {
      const names = Object.keys(fn.Properties.Environment.Variables as object);
      const tableVariables = Object.entries(
        fn.Properties.Environment.Variables as Record<string, unknown>,
      ).filter(([variable]) => variable.startsWith('TABLE_'));
      expect(Object.fromEntries(tableVariables)).toEqual(
        Object.fromEntries(
          expected.tables.map((id) => [tableEnvVar(id), imported(data.tables[id].tableName)]),
        ),
      );
      expect(names.sort()).toEqual(
        [
          ...expected.tables.map(tableEnvVar),
          ...(expected.subjectIdKey === false ? [] : ['SUBJECT_ID_KEY_ID']),
          'TENANT_CLIENTS',
          'CONSOLE_CLIENT_ID',
          'OPERATOR_CLIENT_ID',
          'POWERTOOLS_SERVICE_NAME',
          'POWERTOOLS_METRICS_NAMESPACE',
          'NODE_OPTIONS',
          ...(expected.tables.includes('Tenants') ? ['TENANT_PROFILES'] : []),
          ...(expected.sendsSms ? ['SEND_RATES'] : []),
          ...(expected.providerOptOuts ? ['OPT_OUT_LIST_NAME'] : []),
          ...(expected.extraEnv ?? []),
        ].sort(),
      );
      expect(fn.Properties.Environment.Variables.OPT_OUT_LIST_NAME).toBe(
        expected.providerOptOuts ? `optline-${eu.name}` : undefined,
      );
      expect(otherTables.length).toBeGreaterThan(0);
      for (const id of otherTables) expect(names).not.toContain(tableEnvVar(id));
    });

    it('cannot touch any table outside its own list', () => {
      const policies = JSON.stringify(statements);
      expect(otherTables.length).toBeGreaterThan(0);
      for (const id of otherTables) {
        expect(policies).not.toContain(JSON.stringify(imported(data.tables[id].tableArn)));
      }
    });

    // DynamoDB decrypts the table key on the caller's behalf and does the data-key work under its own grant.
    // https://docs.aws.amazon.com/kms/latest/developerguide/services-dynamodb.html
    it('may use the cell key for its tables only through DynamoDB in this region, and only to decrypt and describe it', () => {
      const onCellKey = statements.filter(
        (s) => JSON.stringify(s.Resource) === JSON.stringify(imported(data.cellKey.keyArn)),
      );
      expect(onCellKey.length).toBeGreaterThan(0);
      const viaDynamoDb = onCellKey.filter((s) =>
        JSON.stringify(s.Condition ?? {}).includes('kms:ViaService'),
      );
      expect(viaDynamoDb).toEqual([
        {
          Effect: 'Allow',
          Action: ['kms:Decrypt', 'kms:DescribeKey'],
          Resource: imported(data.cellKey.keyArn),
          Condition: { StringEquals: { 'kms:ViaService': 'dynamodb.eu-west-1.amazonaws.com' } },
        },
      ]);
      const actions = actionsOf(onCellKey);
      for (const action of ['kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*']) {
        expect(actions).not.toContain(action);
      }
    });

    it('may only GenerateMac with the subject-id key (if it gets the key at all): no Decrypt, no Sign', () => {
      expect(actionsOn(imported(data.subjectIdKey.keyArn))).toEqual(
        expected.subjectIdKey === false ? [] : ['kms:GenerateMac'],
      );
    });

    it('writes only to its own log group, gets no AWS managed policy, and uses "*" only where AWS requires it', () => {
      const logGroupArn = { 'Fn::GetAtt': [fn.Properties.LoggingConfig.LogGroup.Ref, 'Arn'] };
      const logStatements = statements.filter((s) =>
        list(s.Action).some((action) => action.startsWith('logs:')),
      );
      expect(logStatements).toEqual([
        { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: logGroupArn },
      ]);
      const role = template.toJSON().Resources[roleId] as Resource;
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      expect(role.Properties.Policies).toBeUndefined();
      const anywhere = actionsOf(statements.filter(onAnyResource));
      expect(anywhere.sort()).toEqual(
        [
          ...XRAY_ACTIONS,
          ...(expected.sendsSms ? [SMS_PUBLISH] : []),
          ...(expected.providerOptOuts === 'mirror' ? SNS_OPT_OUT_MIRROR : []),
        ].sort(),
      );
    });
  });

  describe('the consent ledger', () => {
    it('is append-only for every role of the cell: put, never update, delete or batch-write', () => {
      // GIVEN every statement of the Api stack that names the ledger or its indexes
      const ledgerArn = JSON.stringify(imported(data.tables.ConsentLedger.tableArn));
      const onLedger = allStatements(template).filter(
        (s) => s.Effect === 'Allow' && JSON.stringify(s.Resource).includes(ledgerArn),
      );
      const actions = actionsOf(onLedger);

      // THEN new events can be put, and no existing one can be changed or removed
      expect(actions).toContain('dynamodb:PutItem');
      for (const action of ['dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem']) {
        expect(actions).not.toContain(action);
      }
      expect(actions.filter((action) => action.endsWith('*') && action.startsWith('dynamodb:'))).toEqual([]);
    });

    it('is not reached by a write granted on a wildcard resource either', () => {
      const changes = ['dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem', 'dynamodb:*'];
      const wildcardWrites = allStatements(template).filter(
        (s) =>
          s.Effect === 'Allow' &&
          actionsOf([s]).some((action) => changes.includes(action)) &&
          /"\*"|table\/\*"/.test(JSON.stringify(s.Resource)),
      );
      expect(wildcardWrites).toEqual([]);
    });
  });

  describe('SMS sending', () => {
    it('is granted to the subscribers (double opt-in requests) and messages functions', () => {
      expect(smsSenders).toEqual(['subscribers', 'messages']);
    });

    it('leaves SNS delivery-status logging off, since SNS writes each recipient number into its log entries', () => {
      const json = JSON.stringify(template.toJSON());
      expect(json).not.toContain('SetSMSAttributes');
      expect(json).not.toContain('DirectPublishToPhoneNumber');
      expect(json).not.toContain('DeliveryStatusIAMRole');
    });

    it.each(smsSenders)(
      'lets the %s function publish SMS through SNS (never to a topic), End User Messaging and Pinpoint in its own account and region',
      (name) => {
        for (const statement of smsStatements(api.region)) {
          template.hasResourceProperties('AWS::IAM::Policy', {
            Roles: [{ Ref: deployed[name].roleId }],
            PolicyDocument: { Statement: Match.arrayWith([Match.exact(statement)]) },
          });
        }
        const sending = deployed[name].statements.filter((s) =>
          list(s.Action).some((a) => SMS_SENDING_ACTIONS.includes(a)),
        );
        expect(sending).toHaveLength(5);
        expect(sending).toEqual(expect.arrayContaining(smsStatements(api.region)));
      },
    );

    it.each(smsSenders)('denies the %s function sns:Publish to every topic', (name) => {
      template.hasResourceProperties('AWS::IAM::Policy', {
        Roles: [{ Ref: deployed[name].roleId }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.exact({ Effect: 'Deny', Action: SMS_PUBLISH, Resource: arn(':sns:*:*:*') }),
          ]),
        },
      });
    });

    it.each(smsSenders)('scopes the %s function of another cell to that cell region', (name) => {
      expect(us.api.region).not.toBe(api.region);
      const sending = usDeployed[name].statements.filter((s) =>
        list(s.Action).some((a) => SMS_SENDING_ACTIONS.includes(a)),
      );
      expect(sending).toHaveLength(5);
      expect(sending).toEqual(expect.arrayContaining(smsStatements(us.api.region)));
    });

    it.each(nonSmsSenders)(
      'gives the %s function no SNS Publish, End User Messaging SendTextMessage or Pinpoint permission',
      (name) => {
        const actions = actionsOf(deployed[name].statements);
        expect(actions.length).toBeGreaterThan(0);
        expect(actions.filter((a) => SMS_SENDING_ACTIONS.includes(a) || a === '*')).toEqual([]);
        expect(deployed[name].fn.Properties.Environment.Variables.SEND_RATES).toBeUndefined();
        expect(JSON.stringify(deployed[name].statements)).not.toMatch(/:(sns|sms-voice|mobiletargeting):/);
      },
    );

    it.each(API_FUNCTIONS)(
      'gives the %s function no SNS, End User Messaging or Pinpoint permission beyond its SMS sending and opt-out list grants',
      (name) => {
        for (const [stack, of] of [
          [cell, deployed[name]],
          [us, usDeployed[name]],
        ] as const) {
          const expected = [
            ...(EXPECTED[name].sendsSms ? smsStatements(stack.api.region) : []),
            ...(name === 'incidents' ? incidentTopicStatements(stack) : []),
            ...(EXPECTED[name].providerOptOuts
              ? optOutStatements(stack.api, stack.data.optOutList.attrArn, EXPECTED[name].providerOptOuts)
              : []),
          ];
          const granted = smsServiceStatements(of.statements);
          expect(granted).toHaveLength(expected.length);
          expect(granted).toEqual(expect.arrayContaining(expected));
        }
      },
    );
  });

  it.each([
    ['eu', cell, template],
    ['us', us, usTemplate],
  ] as const)(
    'lets the functions of the %s Api stack call SNS, End User Messaging or Pinpoint on Resource "*" only in the cell region',
    (_cell, { api: stack }, of) => {
      const functionRoles = Object.values(
        of.findResources('AWS::Lambda::Function', {
          Properties: {
            Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: Match.anyValue() }) },
          },
        }),
      ).map((fn) => (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0]);
      const anywhere = Object.values(of.findResources('AWS::IAM::Policy'))
        .filter((p) =>
          (p.Properties.Roles as Array<{ Ref: string }>).some((r) => functionRoles.includes(r.Ref)),
        )
        .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[])
        .filter(
          (s) => s.Effect === 'Allow' && onAnyResource(s) && list(s.Action).some((a) => SMS_SERVICE.test(a)),
        );
      // Publishing and the opt-out calls, in more than one function.
      expect(new Set(actionsOf(anywhere))).toEqual(
        new Set([SMS_PUBLISH, ...SNS_OPT_OUT_MIRROR, SNS_OPT_OUT_LIST]),
      );
      for (const statement of anywhere) {
        expect(statement.Condition).toEqual(inRegion(stack.region));
      }
    },
  );

  describe('provider opt-out lists', () => {
    it('are mirrored by the subscribers function, which records opt-ins too, and only added to by the optouts function', () => {
      expect(mirrors).toEqual(['subscribers']);
      expect(addOnly).toEqual(['optouts']);
    });

    // Opting a number back in on SNS lifts its opt-out account-wide: only what records opt-ins may do it.
    it.each([
      ['optouts', () => deployed.optouts],
      ['dsr-worker (an objection is an opt-out)', () => deployedFunction(template, 'dsr-worker')],
    ])(
      'let the %s function only add numbers to the cell opt-out list: no removal, no SNS opt-out call',
      (_name, of) => {
        const { statements, actionsOn } = of();
        expect(actionsOn(imported(data.optOutList.attrArn))).toEqual([OPT_OUT_LIST_ADD]);
        const actions = actionsOf(statements);
        for (const action of ['sms-voice:DeleteOptedOutNumber', ...SNS_OPT_OUT_MIRROR, SNS_OPT_OUT_LIST]) {
          expect(actions).not.toContain(action);
        }
      },
    );

    it.each(mirrors)(
      'let the %s function add and remove numbers on the cell End User Messaging opt-out list only, and check and opt in numbers on SNS',
      (name) => {
        const { statements, actionsOn } = deployed[name];
        expect(actionsOn(imported(data.optOutList.attrArn))).toEqual(OPT_OUT_LIST_MIRROR);
        expect(statements).toEqual(
          expect.arrayContaining(optOutMirrorStatements(api, data.optOutList.attrArn)),
        );
        // Reading the list and listing the SNS opt-outs are the reconcile job's.
        expect(actionsOf(statements)).not.toContain('sms-voice:DescribeOptedOutNumbers');
        expect(actionsOf(statements)).not.toContain(SNS_OPT_OUT_LIST);
      },
    );

    it.each(nonMirrors)('give the %s function neither the opt-out list nor its name', (name) => {
      const { fn, statements } = deployed[name];
      const actions = actionsOf(statements);
      expect(actions.length).toBeGreaterThan(0);
      expect(actions.filter((a) => /OptedOut|OptIn/.test(a))).toEqual([]);
      expect(JSON.stringify(statements)).not.toContain(JSON.stringify(imported(data.optOutList.attrArn)));
      expect(fn.Properties.Environment.Variables.OPT_OUT_LIST_NAME).toBeUndefined();
    });

    it.each([
      ['eu', cell, template],
      ['us', us, usTemplate],
    ] as const)(
      'give the SNS opt-out calls on "*" in the %s Api stack only to the functions that bind the list, and listing only to the reconcile job',
      (_cell, { api: stack }, of) => {
        const mirroring = [
          ...mirrors.map((name) => stack.functions[name]),
          // STOP and START both arrive as inbound SMS.
          stack.inboundSms.function,
          ...OPT_OUT_LIST_JOBS.map((job) => stack.jobs[job].function),
        ].map((fn) => roleIdOf(stack, fn));
        for (const action of SNS_OPT_OUT_MIRROR) {
          expect(rolesAllowedOnAnyResource(of, action)).toEqual([...mirroring].sort());
        }
        expect(rolesAllowedOnAnyResource(of, SNS_OPT_OUT_LIST)).toEqual(
          OPT_OUT_LIST_JOBS.map((job) => roleIdOf(stack, stack.jobs[job].function)).sort(),
        );
      },
    );
  });

  it.each([
    ['eu', cell, template],
    ['us', us, usTemplate],
  ] as const)(
    'gives Resource "*" in the %s Api stack only to X-Ray, SNS direct SMS publishing, the SMS attributes and the SNS opt-out calls',
    (_cell, { api: stack }, of) => {
      const statements = allStatements(of);
      expect(statements.length).toBeGreaterThan(0);
      const anywhere = actionsOf(statements.filter(onAnyResource));
      expect(anywhere).toEqual(expect.arrayContaining(XRAY_ACTIONS));
      // sns:SetSMSAttributes: the deploy-time custom resource that turns on SNS delivery-status logging.
      const known = [
        ...XRAY_ACTIONS,
        SMS_PUBLISH,
        'sns:SetSMSAttributes',
        ...SNS_OPT_OUT_MIRROR,
        SNS_OPT_OUT_LIST,
      ];
      expect(anywhere.filter((a) => !known.includes(a))).toEqual([]);
      // Direct SMS publishing goes to the sending functions and the inbound replies, nowhere else.
      expect(rolesAllowedOnAnyResource(of, SMS_PUBLISH)).toEqual(
        [
          ...smsSenders.map((name) => stack.functions[name]),
          stack.inboundSms.function,
          stack.campaigns.worker.function,
        ]
          .map((fn) => roleIdOf(stack, fn))
          .sort(),
      );
    },
  );

  describe('stage', () => {
    const [, stage] = only('AWS::ApiGateway::Stage');

    it('is prod, traced, throttled with the cell limits, and logs errors without request or response data', () => {
      expect(stage.Properties).toMatchObject({
        StageName: 'prod',
        TracingEnabled: true,
        MethodSettings: [
          {
            HttpMethod: '*',
            ResourcePath: '/*',
            LoggingLevel: 'ERROR',
            DataTraceEnabled: false,
            ThrottlingRateLimit: 25,
            ThrottlingBurstLimit: 50,
          },
          // The send route: its own throttle (below), with the stage's logging restated.
          expect.objectContaining({ LoggingLevel: 'ERROR', DataTraceEnabled: false, MetricsEnabled: true }),
        ],
      });
      expect(stage.Properties.CacheClusterEnabled).toBeUndefined();
    });

    // https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html
    it.each([
      ['eu', template],
      ['us', usTemplate],
    ] as const)(
      'throttles POST /v1/messages of the %s stage to the cell MPS, one request above it at most, so API Gateway answers 429 before Lambda or the provider throttles',
      (_cell, of) => {
        of.hasResourceProperties('AWS::ApiGateway::Stage', {
          MethodSettings: Match.arrayWith([
            {
              HttpMethod: 'POST',
              ResourcePath: '/~1v1~1messages',
              ThrottlingRateLimit: DEFAULT_SMS_MPS,
              ThrottlingBurstLimit: 1,
              LoggingLevel: 'ERROR',
              DataTraceEnabled: false,
              MetricsEnabled: true,
            },
          ]),
        });
      },
    );

    it('falls back to the default limits when the cell sets none', () => {
      usTemplate.hasResourceProperties('AWS::ApiGateway::Stage', {
        MethodSettings: Match.arrayWith([
          Match.objectLike({
            ResourcePath: '/*',
            ThrottlingRateLimit: DEFAULT_API_LIMITS.rateLimit,
            ThrottlingBurstLimit: DEFAULT_API_LIMITS.burstLimit,
          }),
        ]),
      });
      usTemplate.hasResourceProperties('AWS::WAFv2::WebACL', {
        Rules: Match.arrayWith([
          Match.objectLike({
            Statement: { RateBasedStatement: Match.objectLike({ Limit: DEFAULT_API_LIMITS.perIpLimit }) },
          }),
        ]),
      });
    });

    it('writes JSON access logs of ids, status and timings only: no path, query, headers or body', () => {
      const format = JSON.parse(stage.Properties.AccessLogSetting.Format as string) as Record<string, string>;
      expect(format).toMatchObject({
        requestId: '$context.requestId',
        ip: '$context.identity.sourceIp',
        clientId: '$context.authorizer.claims.client_id',
        method: '$context.httpMethod',
        resourcePath: '$context.resourcePath',
        status: '$context.status',
        latencyMs: '$context.responseLatency',
      });
      const variables = Object.values(format).join(' ');
      for (const personal of [
        '$context.path',
        '$input',
        '$context.requestOverride',
        'querystring',
        'header',
      ]) {
        expect(variables).not.toContain(personal);
      }
    });

    it('sends access logs to an encrypted log group kept 90 days', () => {
      const destination = JSON.stringify(stage.Properties.AccessLogSetting.DestinationArn);
      const [logGroupId] = Object.entries(template.findResources('AWS::Logs::LogGroup')).find(([id]) =>
        destination.includes(`"Ref":"${id}"`),
      )!;
      expect(template.toJSON().Resources[logGroupId].Properties).toEqual({
        RetentionInDays: 90,
        KmsKeyId: imported(data.logsKey.keyArn),
      });
    });

    it("lets only API Gateway acting for this account assume the account's CloudWatch logging role", () => {
      const roleId = api.getLogicalId(
        api.api.node.findChild('CloudWatchRole').node.defaultChild as CfnElement,
      );
      const role = template.toJSON().Resources[roleId] as Resource;
      expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
        {
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Principal: { Service: 'apigateway.amazonaws.com' },
          Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
        },
      ]);
    });

    it('creates the execution log group itself, encrypted and kept 90 days, before API Gateway would', () => {
      const [logGroupId, logGroup] = only('AWS::Logs::LogGroup', {
        LogGroupName: {
          'Fn::Join': ['', ['API-Gateway-Execution-Logs_', { Ref: stage.Properties.RestApiId.Ref }, '/prod']],
        },
      });
      expect(logGroup.Properties).toMatchObject({
        RetentionInDays: 90,
        KmsKeyId: imported(data.logsKey.keyArn),
      });
      expect(stage.DependsOn).toContain(logGroupId);
    });

    it('encrypts every log group of the stack with the logs key and keeps it for 90 days', () => {
      const logGroups = Object.values(template.findResources('AWS::Logs::LogGroup')) as Resource[];
      // One per function (API functions, the delivery-status and inbound-SMS consumers, the DSR and campaign
      // workers, the scheduled jobs, the TTL backstop and the console), and the access, execution and WAF logs.
      expect(logGroups).toHaveLength(API_FUNCTIONS.length + 4 + JOB_NAMES.length + 1 + 1 + 3);
      for (const logGroup of logGroups) {
        expect(logGroup.Properties).toMatchObject({
          RetentionInDays: 90,
          KmsKeyId: imported(data.logsKey.keyArn),
        });
      }
    });
  });

  describe('scanner skips', () => {
    it('are written into the template next to the resource, each with its reason, for reviewers and CI', () => {
      const skips = Object.entries(
        template.toJSON().Resources as Record<string, { Metadata?: Json }>,
      ).flatMap(([id, resource]) => [
        ...(resource.Metadata?.checkov?.skip ?? []).map((skip: Json) => ({
          id,
          rule: skip.id,
          reason: skip.comment,
        })),
        ...(resource.Metadata?.['cfn-lint']?.config?.ignore_checks ?? []).map((rule: string) => ({
          id,
          rule,
          reason: resource.Metadata['cfn-lint'].comments?.[rule],
        })),
      ]);
      const rulesByResource: Record<string, string[]> = {};
      for (const skip of skips) (rulesByResource[skip.id] ??= []).push(skip.rule);
      for (const rules of Object.values(rulesByResource)) rules.sort();
      const [stageId] = only('AWS::ApiGateway::Stage');
      expect(rulesByResource).toEqual({
        [stageId]: ['CKV_AWS_120'],
        [api.getLogicalId(api.deliveryStatus.function.node.defaultChild as CfnElement)]: [
          'CKV_AWS_115',
          'CKV_AWS_116',
          'CKV_AWS_117',
          'CKV_AWS_173',
          'W3005',
        ],
        [api.getLogicalId(api.inboundSms.function.node.defaultChild as CfnElement)]: [
          'CKV_AWS_115',
          'CKV_AWS_116',
          'CKV_AWS_117',
          'CKV_AWS_173',
          'W3005',
        ],
        [api.getLogicalId(api.ttlBackstop.function.node.defaultChild as CfnElement)]: [
          'CKV_AWS_115',
          'CKV_AWS_116',
          'CKV_AWS_117',
          'CKV_AWS_173',
          'W3005',
        ],
        [api.getLogicalId(api.dsrWorker.function.node.defaultChild as CfnElement)]: [
          'CKV_AWS_115',
          'CKV_AWS_116',
          'CKV_AWS_117',
          'CKV_AWS_173',
          'W3005',
        ],
        [api.getLogicalId(api.campaigns.worker.function.node.defaultChild as CfnElement)]: [
          'CKV_AWS_115',
          'CKV_AWS_116',
          'CKV_AWS_117',
          'CKV_AWS_173',
          'W3005',
        ],
        // The console: a synchronous function like the API's, and its three methods without an authorizer.
        [api.getLogicalId(api.console.function.node.defaultChild as CfnElement)]: [
          'CKV_AWS_115',
          'CKV_AWS_116',
          'CKV_AWS_117',
          'CKV_AWS_173',
          'W3005',
        ],
        ...Object.fromEntries(
          api.console.methods.map((method) => [
            api.getLogicalId(method.node.defaultChild as CfnElement),
            ['CKV_AWS_59'],
          ]),
        ),
        // The campaign worker sends SMS like the messages function.
        [policyIdOf(api.campaigns.worker.function)]: ['CKV_AWS_111'],
        // SNS direct SMS publishing and SNS's SMS opt-out calls need Resource "*": one skip per policy, even
        // when a policy has both (inbound replies publish SMS and mirror opt-outs).
        [policyIdOf(api.inboundSms.function)]: ['CKV_AWS_111'],
        ...Object.fromEntries(
          API_FUNCTIONS.filter(
            (name) => EXPECTED[name].sendsSms || EXPECTED[name].providerOptOuts === 'mirror',
          ).map((name) => [policyIdOf(api.functions[name]), ['CKV_AWS_111']]),
        ),
        ...Object.fromEntries(
          OPT_OUT_LIST_JOBS.map((job) => [policyIdOf(api.jobs[job].function), ['CKV_AWS_111']]),
        ),
        // Jobs have a dead-letter queue, so CKV_AWS_116 holds for them; a cell that does not reserve concurrency
        // acknowledges CKV_AWS_115.
        ...Object.fromEntries(
          JOB_NAMES.map((job) => [
            api.getLogicalId(api.jobs[job].function.node.defaultChild as CfnElement),
            ['CKV_AWS_115', 'CKV_AWS_117', 'CKV_AWS_173', 'W3005'],
          ]),
        ),
        ...Object.fromEntries(
          API_FUNCTIONS.map((name) => [
            deployed[name].id,
            // The eu cell reserves no concurrency, so every function acknowledges CKV_AWS_115.
            ['CKV_AWS_115', 'CKV_AWS_116', 'CKV_AWS_117', 'CKV_AWS_173', 'W3005'],
          ]),
        ),
      });
      for (const skip of skips) expect(skip.reason?.length).toBeGreaterThanOrEqual(60);
    });

    it('give a policy that both publishes SMS and mirrors opt-outs one CKV_AWS_111 skip that holds both reasons', () => {
      for (const fn of [api.functions.subscribers, api.inboundSms.function]) {
        const skips = (template.toJSON().Resources[policyIdOf(fn)].Metadata?.checkov?.skip ?? []) as Array<{
          id: string;
          comment: string;
        }>;
        expect(skips).toHaveLength(1);
        expect(skips[0]).toEqual({
          id: 'CKV_AWS_111',
          comment: expect.stringMatching(/SNS Publish to a phone number has no resource ARN[\s\S]*opt-out/),
        });
      }
    });
  });

  describe('inbound SMS', () => {
    it('consumes the inbound topic through an encrypted queue with a dead-letter queue and an alarm', () => {
      const queueId = api.getLogicalId(api.inboundSms.queue.node.defaultChild as CfnElement);
      const dlqId = api.getLogicalId(api.inboundSms.deadLetterQueue.node.defaultChild as CfnElement);
      const queues = template.toJSON().Resources as Record<string, Resource>;
      expect(queues[queueId]!.Properties).toMatchObject({
        KmsMasterKeyId: imported(data.queueKey.keyArn),
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] }, maxReceiveCount: 5 },
      });
      expect(queues[dlqId]!.Properties).toMatchObject({ KmsMasterKeyId: imported(data.queueKey.keyArn) });
      // The envelope's Timestamp, not the queue's, orders keywords: it survives a dead-letter redrive. Delivery
      // events carry their own timestamp, so their queue gets the raw message.
      template.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'sqs',
        RawMessageDelivery: false,
        TopicArn: imported(data.inboundSmsTopic.topicArn),
        Endpoint: { 'Fn::GetAtt': [queueId, 'Arn'] },
      });
      const deliveryQueueId = api.getLogicalId(api.deliveryStatus.queue.node.defaultChild as CfnElement);
      template.hasResourceProperties('AWS::SNS::Subscription', {
        RawMessageDelivery: true,
        Endpoint: { 'Fn::GetAtt': [deliveryQueueId, 'Arn'] },
      });
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlqId, 'QueueName'] } }],
        Threshold: 1,
      });
    });

    it('gives the consumer its tables, the subject-id key, SMS sending and the cell inbound numbers', () => {
      const fnId = api.getLogicalId(api.inboundSms.function.node.defaultChild as CfnElement);
      const variables = (template.toJSON().Resources as Record<string, Resource>)[fnId]!.Properties
        .Environment.Variables as Record<string, unknown>;
      expect(
        Object.keys(variables)
          .filter((v) => v.startsWith('TABLE_'))
          .sort(),
      ).toEqual([
        'TABLE_CONSENT_LEDGER',
        'TABLE_DAILY_STATS',
        'TABLE_IDEMPOTENCY',
        'TABLE_MESSAGE_LOG',
        'TABLE_SUBSCRIBERS',
        'TABLE_SUPPRESSIONS',
        'TABLE_TENANTS',
      ]);
      // A cell without two-way identities or hand-listed numbers receives on none; its replies take slots on
      // the cell-wide send schedule.
      expect(variables).toMatchObject({ INBOUND_NUMBERS: '[]', SEND_RATES: '{"cell":3}' });
      expect(variables.SUBJECT_ID_KEY_ID).toBeDefined();
    });

    it('lets the consumer send replies and mirror opt-outs to the cell opt-out list, and nothing else of SNS, End User Messaging or Pinpoint', () => {
      expect(inbound.id).toBe(api.getLogicalId(api.inboundSms.function.node.defaultChild as CfnElement));
      expect(inbound.fn.Properties.Environment.Variables.OPT_OUT_LIST_NAME).toBe(`optline-${eu.name}`);
      const expected = [
        ...smsStatements(api.region),
        ...optOutMirrorStatements(api, data.optOutList.attrArn),
      ];
      const granted = smsServiceStatements(inbound.statements);
      expect(granted).toHaveLength(expected.length);
      expect(granted).toEqual(expect.arrayContaining(expected));
    });
  });

  describe('SMS throughput', () => {
    // A fresh account may have a concurrency quota of 10, of which Lambda keeps 100 unreserved: any reservation
    // fails its first deploy. https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
    it('reserves no concurrency for any function of a cell that does not ask for it, and still holds sends to the cell MPS', () => {
      const functions = Object.values(template.findResources('AWS::Lambda::Function')) as Resource[];
      expect(functions.length).toBeGreaterThan(API_FUNCTIONS.length);
      for (const fn of functions) expect(fn.Properties.ReservedConcurrentExecutions).toBeUndefined();
      const variables = deployed.messages.fn.Properties.Environment.Variables as Record<string, string>;
      expect(JSON.parse(variables.SEND_RATES!)).toEqual({ cell: DEFAULT_SMS_MPS });
    });

    it('reserves concurrency for the messages function and each job where the cell asks for it', () => {
      const reserved = usDeployed.messages.fn.Properties.ReservedConcurrentExecutions as number;
      // Default MPS 3 → 3 environments; the send schedule, not the reservation, holds the rate.
      expect(reserved).toBe(3);
      // One run of each job at a time, and the purge one more per continuation.
      for (const job of JOB_NAMES) {
        const fn = usTemplate.toJSON().Resources[
          us.api.getLogicalId(us.api.jobs[job].function.node.defaultChild as CfnElement)
        ] as Resource;
        expect(fn.Properties.ReservedConcurrentExecutions).toBe(job === 'purge-inactive' ? 3 : 1);
      }
    });

    it('lets every function that sends take a slot on the shared send schedule: UpdateItem on the Idempotency table', () => {
      for (const name of ['messages', 'subscribers'] as const) {
        const { Properties } = deployed[name].fn;
        expect(JSON.parse(Properties.Environment.Variables.SEND_RATES as string)).toEqual({
          cell: DEFAULT_SMS_MPS,
        });
        const writes = deployed[name].statements.filter((statement) =>
          JSON.stringify(statement.Resource).includes(
            JSON.stringify(imported(data.tables.Idempotency.tableArn)),
          ),
        );
        expect(actionsOf(writes)).toContain('dynamodb:UpdateItem');
      }
      expect(deployed.subscribers.fn.Properties.ReservedConcurrentExecutions).toBeUndefined();
      expect(deployed.optouts.fn.Properties.ReservedConcurrentExecutions).toBeUndefined();
    });
  });

  describe('gateway responses', () => {
    const responses = Object.values(template.findResources('AWS::ApiGateway::GatewayResponse')) as Resource[];
    const byType = (type: string) => responses.find((r) => r.Properties.ResponseType === type)!;
    const body = (type: string) => JSON.parse(byType(type).Properties.ResponseTemplates['application/json']);

    it('answer every API Gateway error as application/problem+json with the status in the body', () => {
      expect(responses.length).toBeGreaterThanOrEqual(10);
      for (const response of responses) {
        expect(response.Properties.ResponseParameters['gatewayresponse.header.Content-Type']).toBe(
          "'application/problem+json'",
        );
        const problem = JSON.parse(response.Properties.ResponseTemplates['application/json']);
        expect(problem).toEqual({
          type: expect.stringMatching(/^urn:optline:problem:[a-z-]+$/),
          title: expect.any(String),
          status: Number(response.Properties.StatusCode),
          detail: expect.any(String),
          errors: expect.any(Array),
        });
      }
    });

    it('stay valid JSON whatever API Gateway substitutes, and never echo a refused body', () => {
      // GIVEN what the validator reports for a refused body and for a missing path parameter
      const refusedBody =
        '[ECMA 262 regex "^\\+[1-9]\\d{6,14}$" does not match input string "+447400123456", ' +
        'object has missing required properties (["consent"])]';
      const missingParameter = 'Missing required request parameters: [phone]';
      for (const response of responses) {
        // WHEN API Gateway substitutes it, as plain text, into the template
        const rendered = response.Properties.ResponseTemplates['application/json'].replaceAll(
          '$context.error.validationErrorString',
          response.Properties.ResponseType === 'BAD_REQUEST_BODY' ? refusedBody : missingParameter,
        );
        // THEN the body still parses and carries no part of the refused input
        expect(() => JSON.parse(rendered)).not.toThrow();
        expect(rendered).not.toContain('447400123456');
      }
    });

    it.each([
      ['BAD_REQUEST_BODY', 400, 'invalid-input'],
      ['BAD_REQUEST_PARAMETERS', 400, 'invalid-input'],
      ['UNAUTHORIZED', 401, 'unauthorized'],
      ['ACCESS_DENIED', 403, 'forbidden'],
      ['MISSING_AUTHENTICATION_TOKEN', 404, 'not-found'],
      ['REQUEST_TOO_LARGE', 413, 'payload-too-large'],
      ['UNSUPPORTED_MEDIA_TYPE', 415, 'unsupported-media-type'],
      ['THROTTLED', 429, 'too-many-requests'],
      ['DEFAULT_5XX', 500, 'internal'],
    ])('map %s to %d %s', (type, status, slug) => {
      expect(byType(type).Properties.StatusCode).toBe(String(status));
      expect(body(type)).toMatchObject({ type: `urn:optline:problem:${slug}`, status });
    });

    it('name the body as the invalid field of a refused body, and the missing parameter of a refused path', () => {
      expect(body('BAD_REQUEST_BODY').errors).toEqual([
        { field: 'body', message: 'does not match the schema of this operation' },
      ]);
      expect(body('BAD_REQUEST_PARAMETERS').detail).toBe('$context.error.validationErrorString');
    });

    it('challenge a caller without credentials for a bearer token', () => {
      expect(
        byType('UNAUTHORIZED').Properties.ResponseParameters['gatewayresponse.header.WWW-Authenticate'],
      ).toBe("'Bearer'");
    });
  });

  describe('Cognito', () => {
    it('has a user pool nobody can sign up to, with MFA required should a user ever be created', () => {
      template.hasResourceProperties('AWS::Cognito::UserPool', {
        UserPoolName: 'optline-eu',
        AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
        MfaConfiguration: 'ON',
        DeletionProtection: 'ACTIVE',
      });
      template.hasResource('AWS::Cognito::UserPool', { DeletionPolicy: 'Retain' });
    });

    it('serves the token endpoint on a domain prefix made of the cell name and the account id', () => {
      template.hasResourceProperties('AWS::Cognito::UserPoolDomain', {
        Domain: { 'Fn::Join': ['', ['optline-eu-', { Ref: 'AWS::AccountId' }]] },
      });
    });

    it('declares every API scope, the read scopes included, on the optline resource server', () => {
      const [, server] = only('AWS::Cognito::UserPoolResourceServer');
      const declared = server.Properties.Scopes.map((s: { ScopeName: string }) => s.ScopeName);
      expect(declared.sort()).toEqual([...SCOPES].sort());
      expect(declared).toEqual(expect.arrayContaining([...READ_SCOPES]));
      for (const role of ROLES) expect(declared).toEqual(expect.arrayContaining([...ROLE_SCOPES[role]]));
    });

    // "The method invocation is authorized if any method scopes matches a claimed scope in the access token"
    // (Method.authorizationScopes, https://docs.aws.amazon.com/apigateway/latest/api/API_Method.html): a read
    // method that lists its read scope and its area's write scope admits either token.
    it.each([
      ['GET', '/v1/subscribers/{phone}', ['subscribers.read', 'subscribers.write']],
      ['GET', '/v1/subscribers/{phone}/consent-events', ['subscribers.read', 'subscribers.write']],
      ['GET', '/v1/subscribers/{phone}/messages', ['subscribers.read', 'subscribers.write']],
      ['GET', '/v1/opt-outs/{phone}', ['subscribers.read', 'optouts.write']],
      ['GET', '/v1/dsr', ['dsr.read', 'dsr.manage']],
      ['GET', '/v1/dsr/{id}', ['dsr.read', 'dsr.manage']],
      ['GET', '/v1/messages/{messageId}', ['messages.read', 'messages.send']],
      ['GET', '/v1/campaigns/{id}', ['messages.read', 'messages.send']],
      ['POST', '/v1/dsr', ['dsr.manage']],
      ['GET', '/v1/me', [...TENANT_SCOPES]],
      ['POST', '/v1/incidents', ['incidents.manage']],
      ['GET', '/v1/incidents/{id}', ['incidents.manage']],
      ['GET', '/v1/incident-notifications', ['dsr.read', 'dsr.manage']],
      ['POST', '/v1/incident-notifications/{id}/acknowledge', ['dsr.manage']],
    ])('lets %s %s be called with any one of %j', (method, path, scopes) => {
      expect(methodFor(method, path)!.Properties.AuthorizationScopes).toEqual(
        scopes.map((scope) => ({ 'Fn::Join': ['', [{ Ref: resourceServerId }, `/${scope}`]] })),
      );
    });

    it('gives the operator its own client with incidents.manage and nothing else, which no tenant client holds', () => {
      const clients = Object.values(template.findResources('AWS::Cognito::UserPoolClient')) as Resource[];
      const operator = clients.filter((c) => c.Properties.ClientName === 'optline-eu-Operator');
      expect(operator).toHaveLength(1);
      expect(operator[0]!.Properties).toMatchObject({
        GenerateSecret: true,
        AllowedOAuthFlows: ['client_credentials'],
        AllowedOAuthScopes: [{ 'Fn::Join': ['', [{ Ref: resourceServerId }, '/incidents.manage']] }],
      });
      for (const tenant of clients.filter((c) => c !== operator[0])) {
        expect(JSON.stringify(tenant.Properties.AllowedOAuthScopes)).not.toContain('incidents.manage');
      }
      // The resource server declares the scope, and every API function tells the operator's client apart.
      template.hasResourceProperties('AWS::Cognito::UserPoolResourceServer', {
        Scopes: Match.arrayWith([Match.objectLike({ ScopeName: 'incidents.manage' })]),
      });
      const operatorRef = {
        Ref: Object.entries(template.findResources('AWS::Cognito::UserPoolClient')).find(
          ([, c]) => c.Properties.ClientName === 'optline-eu-Operator',
        )![0],
      };
      for (const name of API_FUNCTIONS) {
        expect(deployed[name].fn.Properties.Environment.Variables.OPERATOR_CLIENT_ID).toEqual(operatorRef);
      }
    });

    it('gives each tenant one secret-holding client that can only use the client-credentials flow', () => {
      // Besides the console's public client (privacy-console.test.ts) and the operator's (above).
      const clients = (
        Object.values(
          template.findResources('AWS::Cognito::UserPoolClient', { Properties: { GenerateSecret: true } }),
        ) as Resource[]
      ).filter((client) => client.Properties.ClientName !== 'optline-eu-Operator');
      template.resourceCountIs('AWS::Cognito::UserPoolClient', clients.length + 2);
      expect(clients.map((c) => c.Properties.ClientName).sort()).toEqual([
        'optline-eu-acme',
        'optline-eu-demo',
      ]);
      for (const client of clients) {
        expect(client.Properties).toMatchObject({
          GenerateSecret: true,
          AllowedOAuthFlows: ['client_credentials'],
          AllowedOAuthFlowsUserPoolClient: true,
          ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'],
        });
        expect(client.Properties.CallbackURLs).toBeUndefined();
        expect(client.Properties.AllowedOAuthScopes).toEqual(
          TENANT_SCOPES.map((scope) => ({ 'Fn::Join': ['', [{ Ref: resourceServerId }, `/${scope}`]] })),
        );
      }
    });
  });

  describe('WAF', () => {
    const [webAclId, webAcl] = only('AWS::WAFv2::WebACL');

    it('runs a per-IP rate limit first, then the AWS common and known-bad-inputs rule groups', () => {
      expect(webAcl.Properties).toMatchObject({ Scope: 'REGIONAL', DefaultAction: { Allow: {} } });
      expect(webAcl.Properties.Rules).toEqual([
        expect.objectContaining({
          Priority: 0,
          Action: {
            Block: {
              CustomResponse: {
                ResponseCode: 429,
                CustomResponseBodyKey: 'too-many-requests',
                ResponseHeaders: [{ Name: 'Retry-After', Value: '300' }],
              },
            },
          },
          Statement: {
            RateBasedStatement: { Limit: 1500, AggregateKeyType: 'IP', EvaluationWindowSec: 300 },
          },
        }),
        expect.objectContaining({
          Priority: 1,
          Statement: {
            ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesCommonRuleSet' },
          },
        }),
        expect.objectContaining({
          Priority: 2,
          Statement: {
            ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesKnownBadInputsRuleSet' },
          },
        }),
      ]);
    });

    // https://docs.aws.amazon.com/waf/latest/developerguide/customizing-the-response-for-blocked-requests.html
    it("answers a client over its rate limit 429 with the API's too-many-requests problem, so it backs off like any throttled client", () => {
      const body = webAcl.Properties.CustomResponseBodies['too-many-requests'];
      expect(body.ContentType).toBe('APPLICATION_JSON');
      expect(JSON.parse(body.Content)).toEqual({
        type: 'urn:optline:problem:too-many-requests',
        title: 'Too many requests',
        status: 429,
        detail: expect.stringContaining('1500 requests in 5 minutes'),
        errors: [],
        retryAfterSeconds: 300,
      });
    });

    it('is associated with the prod stage', () => {
      const [stageId] = only('AWS::ApiGateway::Stage');
      template.hasResourceProperties('AWS::WAFv2::WebACLAssociation', {
        WebACLArn: { 'Fn::GetAtt': [webAclId, 'Arn'] },
        ResourceArn: { 'Fn::Join': ['', Match.arrayWith([{ Ref: stageId }])] },
      });
    });

    it('logs to an encrypted aws-waf-logs- group with paths, query strings and tokens redacted', () => {
      const [, logging] = only('AWS::WAFv2::LoggingConfiguration');
      expect(logging.Properties.ResourceArn).toEqual({ 'Fn::GetAtt': [webAclId, 'Arn'] });
      expect(logging.Properties.RedactedFields).toEqual(
        expect.arrayContaining([
          { UriPath: {} },
          { QueryString: {} },
          { SingleHeader: { Name: 'authorization' } },
        ]),
      );
      const destination = JSON.stringify(logging.Properties.LogDestinationConfigs);
      const [logGroupId, logGroup] = Object.entries(template.findResources('AWS::Logs::LogGroup')).find(
        ([id]) => destination.includes(`"Ref":"${id}"`),
      )!;
      expect(logGroup.Properties).toEqual({
        LogGroupName: 'aws-waf-logs-optline-eu-api',
        RetentionInDays: 90,
        KmsKeyId: imported(data.logsKey.keyArn),
      });
      expect(destination).not.toContain('"Fn::GetAtt"');
      expect(logGroupId).toBeDefined();
    });

    it('keeps no sampled requests, which would hold full paths and headers outside the redacted logs', () => {
      const configs = [
        webAcl.Properties.VisibilityConfig,
        ...webAcl.Properties.Rules.map((rule: Json) => rule.VisibilityConfig),
      ];
      for (const config of configs) expect(config.SampledRequestsEnabled).toBe(false);
    });
  });
});
