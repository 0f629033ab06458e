import type { CfnElement, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { CfnPolicy, Policy } from 'aws-cdk-lib/aws-iam';
import type { CfnPhoneNumber, CfnPool, CfnSenderId } from 'aws-cdk-lib/aws-smsvoice';
import { IDENTITY_RULES } from '../../lambdas/domain/origination-identities';
import { helpReply, optOutConfirmation } from '../../lambdas/domain/replies';
import { INBOUND_NUMBERS_ENV, TENANT_PROFILES_ENV, tableEnvVar } from '../../lambdas/shared/env';
import { DEFAULT_CELLS, DEFAULT_SMS_MPS, parseCells, type TenantProfile } from '../../lib/config';
import type { PlatformFunction } from '../../lib/constructs/platform-function';
import { addCell, newOptlineApp } from '../../lib/optline-app';

/**
 * Origination identities as code (DESIGN §9, issue 16 item 4): a sandbox cell with a US simulator number for demo,
 * a GB sender id (in a pool that carries the opt-out list) for uk, and for acme a toll-free number registered by hand,
 * listed under inboundNumbers with its type. The rules each assertion pins:
 * - a number consults the cell's opt-out list and has self-managed opt-outs (optline answers STOP, HELP and START
 *   itself, one confirmation, never two): https://docs.aws.amazon.com/sms-voice/latest/userguide/opt-out-list-self-managed.html
 * - the number's properties: https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-smsvoice-phonenumber.html
 * - HELP and STOP are mandatory keywords of every number: https://docs.aws.amazon.com/sms-voice/latest/userguide/keywords-required.html
 * - a pool carries keywords and an opt-out list for a sender id, which has neither:
 *   https://docs.aws.amazon.com/sms-voice/latest/userguide/phone-pool.html
 * - a failed first create must not leave an identity behind, and a protected one would block that rollback:
 *   https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-deletionpolicy.html
 * - a sender id is one-way, so it receives nothing: https://docs.aws.amazon.com/sms-voice/latest/userguide/phone-numbers.html
 * - origination simulator numbers exist only in the US: https://docs.aws.amazon.com/sms-voice/latest/userguide/test-phone-numbers.html
 * - SendTextMessage is authorized on each identity and configuration set it uses, with aws:ResourceTag on each:
 *   https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsendusermessagingsmsandvoicev2.html
 */

// Template JSON is untyped; tests index into it freely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

const CELL_TAG = { Key: 'optline:cell', Value: 'sandbox' };
const demoProfile: TenantProfile = { brand: 'Demo', contact: 'help@demo.example' };
const acmeProfile: TenantProfile = {
  brand: 'Acme Retail',
  contact: 'https://acme.example/help',
  helpText: 'Acme Retail: help at acme.example/help or 0800 000 000. Reply STOP to opt out.',
};
const ukProfile: TenantProfile = { brand: 'UK Shop', contact: 'help@uk.example' };

// GIVEN a sandbox cell with identities, validated as the app validates its context, beside the default cells
// (one synth for the file; these assertions read no function code, so bundling is skipped)
const [sandbox] = parseCells([
  {
    name: 'sandbox',
    region: 'us-west-2',
    regime: 'CCPA',
    tenants: ['demo', 'acme', 'uk'],
    tenantProfiles: { demo: demoProfile, acme: acmeProfile, uk: ukProfile },
    originationIdentities: [
      { name: 'demo-sim', type: 'SIMULATOR', country: 'US', tenant: 'demo', mps: 20 },
      { name: 'uk-sender', type: 'SENDER_ID', country: 'GB', tenant: 'uk', senderId: 'UKSHOP' },
    ],
    inboundNumbers: { '+18005550100': { tenant: 'acme', type: 'TOLL_FREE' } },
  },
]);
const app = newOptlineApp({ context: { 'aws:cdk:bundling-stacks': [] } });
const cell = addCell(app, sandbox!);
const defaults = DEFAULT_CELLS.map((config) => addCell(app, config));
const { data, api } = cell;
const dataTemplate = Template.fromStack(data);
const apiTemplate = Template.fromStack(api);

// The identities, found through their constructs (construct ids follow the configured names).
const identities = data.identities;
const demoSim = identities.node.findChild('DemoSim') as CfnPhoneNumber;
const ukSender = identities.node.findChild('UkSender') as CfnSenderId;
const ukPool = identities.node.findChild('UkPool') as CfnPool;

/** A value of this or the other stack as it appears in `stack`'s template (in-stack reference or stack output). */
const resolvedIn = (stack: Stack, value: unknown): Json => JSON.parse(JSON.stringify(stack.resolve(value)));

/**
 * A JSON environment value as the function receives it: the parts of its `Fn::Join` concatenated, each reference
 * replaced by the name `known` gives it. A reference not in `known` fails the test.
 */
function resolveJoin(value: Json, known: Readonly<Record<string, Json>>): string {
  if (typeof value === 'string') return value;
  const [separator, parts] = value['Fn::Join'] as [string, Json[]];
  return parts
    .map((part) => {
      if (typeof part === 'string') return part;
      const name = Object.keys(known).find((key) => JSON.stringify(known[key]) === JSON.stringify(part));
      if (name === undefined)
        throw new Error(`Unexpected reference in the environment: ${JSON.stringify(part)}`);
      return name;
    })
    .join(separator);
}

const functions = (template: Template): Array<[string, Json]> =>
  Object.entries(template.findResources('AWS::Lambda::Function'));
const variablesOf = (fn: Json): Record<string, Json> => fn.Properties.Environment?.Variables ?? {};
const functionResource = (template: Template, stack: Stack, fn: PlatformFunction): Json =>
  template.toJSON().Resources[stack.getLogicalId(fn.node.defaultChild as CfnElement)];

const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

describe('origination identities of a cell (DESIGN §9)', () => {
  const listArn = resolvedIn(data, data.optOutList.attrArn);
  const inboundTopicArn = resolvedIn(data, data.inboundSmsTopic.topicArn);
  /** The HELP and STOP texts optline itself sends for the tenant, in English (lambdas/domain/replies.ts). */
  const keywordsOf = (profile: TenantProfile) => ({
    HELP: { Message: helpReply(profile, 'en') },
    STOP: { Message: optOutConfirmation(profile.brand, 'en') },
  });

  it('exposes the constructs it made: one phone number, one sender id and its pool', () => {
    expect(identities.phoneNumbers).toEqual([demoSim]);
    expect(identities.senderIds).toEqual([ukSender]);
    expect(identities.pools).toEqual([ukPool]);
    dataTemplate.resourceCountIs('AWS::SMSVOICE::PhoneNumber', 1);
    dataTemplate.resourceCountIs('AWS::SMSVOICE::SenderId', 1);
    dataTemplate.resourceCountIs('AWS::SMSVOICE::Pool', 1);
  });

  it('removes an identity only when its first create is rolled back, waits for the inbound topic policy, and has no deletion protection to block that rollback', () => {
    const topicPolicyId = data.getLogicalId(
      data.inboundSmsTopic.node.findChild('Policy').node.defaultChild as CfnElement,
    );
    for (const identity of [demoSim, ukSender, ukPool]) {
      const resource = dataTemplate.toJSON().Resources[data.getLogicalId(identity)];
      expect(resource).toMatchObject({
        DeletionPolicy: 'RetainExceptOnCreate',
        UpdateReplacePolicy: 'Retain',
        DependsOn: expect.arrayContaining([topicPolicyId]),
        Properties: { DeletionProtectionEnabled: false },
      });
    }
  });

  it.each([['demo-sim', 'SIMULATOR', 'US', demoProfile, () => demoSim]] as const)(
    'provisions %s as a %s number in %s: SMS only, on the cell opt-out list, self-managed opt-outs, two-way to the inbound topic, the tenant HELP and STOP texts, the cell tag',
    (_name, numberType, country, profile, number) => {
      const found = dataTemplate.findResources('AWS::SMSVOICE::PhoneNumber', {
        Properties: {
          NumberType: numberType,
          IsoCountryCode: country,
          NumberCapabilities: ['SMS'],
          OptOutListName: listArn,
          SelfManagedOptOutsEnabled: true,
          TwoWay: { Enabled: true, ChannelArn: inboundTopicArn },
          MandatoryKeywords: keywordsOf(profile),
          Tags: Match.arrayWith([CELL_TAG]),
        },
      });
      expect(Object.keys(found)).toEqual([data.getLogicalId(number())]);
    },
  );

  it("registers each tenant's own texts: acme's help text as written, demo's composed from its brand and contact", () => {
    expect(keywordsOf(acmeProfile).HELP.Message).toBe(acmeProfile.helpText);
    expect(keywordsOf(demoProfile).HELP.Message).toContain(demoProfile.contact);
    expect(keywordsOf(demoProfile).STOP.Message.startsWith(`${demoProfile.brand}:`)).toBe(true);
    expect(keywordsOf(acmeProfile).STOP.Message.startsWith(`${acmeProfile.brand}:`)).toBe(true);
  });

  it('provisions the sender id in GB with the cell tag (it has no keywords, list or two-way of its own)', () => {
    const found = dataTemplate.findResources('AWS::SMSVOICE::SenderId', {
      Properties: {
        SenderId: 'UKSHOP',
        IsoCountryCode: 'GB',
        Tags: Match.arrayWith([CELL_TAG]),
      },
    });
    expect(Object.keys(found)).toEqual([data.getLogicalId(ukSender)]);
    expect(IDENTITY_RULES.SENDER_ID.twoWay).toBe(false);
  });

  it("puts uk's sender id in a pool of its own, which carries the cell list but no two-way or self-managed opt-outs (a one-way identity cannot have them)", () => {
    const pool = dataTemplate.toJSON().Resources[data.getLogicalId(ukPool)];
    expect(pool).toMatchObject({
      Type: 'AWS::SMSVOICE::Pool',
      Properties: {
        OriginationIdentities: [resolvedIn(data, ukSender.attrArn)],
        OptOutListName: listArn,
        SelfManagedOptOutsEnabled: false,
        TwoWay: { Enabled: false },
        MandatoryKeywords: keywordsOf(ukProfile),
      },
    });
    expect(pool.Properties.TwoWay.ChannelArn).toBeUndefined();
  });

  it('gives demo, with a single number, no pool: it sends from the number itself', () => {
    const pools = Object.values(dataTemplate.findResources('AWS::SMSVOICE::Pool'));
    const demoSimArn = JSON.stringify(resolvedIn(data, demoSim.attrArn));
    expect(pools.filter((pool) => JSON.stringify(pool).includes(demoSimArn))).toEqual([]);
  });

  it('tags the configuration set, like every identity, with the cell, so the send grant admits it', () => {
    dataTemplate.hasResourceProperties('AWS::SMSVOICE::ConfigurationSet', {
      ConfigurationSetName: 'optline-sandbox',
      Tags: Match.arrayWith([CELL_TAG]),
    });
  });
});

describe('what the Api stack derives from the identities', () => {
  const simulatorNumber = resolvedIn(api, demoSim.attrPhoneNumber);
  const simulatorArn = resolvedIn(api, demoSim.attrArn);
  const ukPoolArn = resolvedIn(api, ukPool.attrArn);

  it('lists the two-way numbers, with their tenant and type, as the inbound-sms INBOUND_NUMBERS: the provisioned simulator and the registered toll-free number, not the one-way sender id', () => {
    const inbound = functionResource(apiTemplate, api, api.inboundSms.function);
    const numbers = JSON.parse(
      resolveJoin(variablesOf(inbound)[INBOUND_NUMBERS_ENV], { SIMULATOR_NUMBER: simulatorNumber }),
    ) as unknown[];
    expect(numbers).toEqual([
      { number: 'SIMULATOR_NUMBER', tenant: 'demo', type: 'SIMULATOR' },
      { number: '+18005550100', tenant: 'acme', type: 'TOLL_FREE' },
    ]);
  });

  it("gives every function bound to the Tenants table the tenants' profiles and channels: demo's simulator, uk's pool, the cell configuration set; acme, with no provisioned identity, keeps the channel of its Tenants item", () => {
    const bound = functions(apiTemplate).filter(([, fn]) => tableEnvVar('Tenants') in variablesOf(fn));
    // The functions that reply or send are among them.
    expect(bound.map(([id]) => id)).toEqual(
      expect.arrayContaining(
        [api.functions.messages, api.functions.subscribers, api.inboundSms.function].map((fn) =>
          api.getLogicalId(fn.node.defaultChild as CfnElement),
        ),
      ),
    );
    for (const [, fn] of bound) {
      const profiles = JSON.parse(
        resolveJoin(variablesOf(fn)[TENANT_PROFILES_ENV], {
          SIMULATOR_ARN: simulatorArn,
          UK_POOL_ARN: ukPoolArn,
        }),
      );
      expect(profiles).toEqual({
        demo: {
          ...demoProfile,
          channel: {
            channel: 'end-user-messaging',
            originationIdentity: 'SIMULATOR_ARN',
            rateIdentity: 'demo-sim',
            configurationSetName: 'optline-sandbox',
          },
        },
        acme: acmeProfile,
        uk: {
          ...ukProfile,
          channel: {
            channel: 'end-user-messaging',
            originationIdentity: 'UK_POOL_ARN',
            rateIdentity: 'uk-sender',
            configurationSetName: 'optline-sandbox',
          },
        },
      });
    }
  });

  it("gives every sending function the MPS of each identity's send schedule and of the cell-wide one, and the Idempotency table write that takes a slot", () => {
    const senders = [
      api.functions.messages,
      api.functions.subscribers,
      api.inboundSms.function,
      api.campaigns.worker.function,
    ];
    for (const fn of senders) {
      const variables = variablesOf(functionResource(apiTemplate, api, fn));
      // demo-sim sets its own mps; uk-sender and the cell-wide schedule take the cell's smsMps.
      expect(JSON.parse(variables.SEND_RATES as string)).toEqual({
        cell: DEFAULT_SMS_MPS,
        'demo-sim': 20,
        'uk-sender': DEFAULT_SMS_MPS,
      });
      expect(variables).toHaveProperty([tableEnvVar('Idempotency')]);
    }
    // API Gateway admits sends at most at what the schedules together can send.
    apiTemplate.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: Match.arrayWith([
        Match.objectLike({
          HttpMethod: 'POST',
          ResourcePath: '/~1v1~1messages',
          ThrottlingRateLimit: 20 + 2 * DEFAULT_SMS_MPS,
        }),
      ]),
    });
  });

  it('gives no TENANT_PROFILES to a function that is not bound to the Tenants table', () => {
    const unbound = functions(apiTemplate).filter(([, fn]) => !(tableEnvVar('Tenants') in variablesOf(fn)));
    expect(unbound.length).toBeGreaterThan(0);
    for (const [, fn] of unbound) expect(variablesOf(fn)).not.toHaveProperty([TENANT_PROFILES_ENV]);
  });

  it("lets the messages function SendTextMessage only on its own account's and region's identities and configuration sets that carry the cell tag", () => {
    // The messages role's inline policy, found through its construct.
    const policy = (api.functions.messages.executionRole.node.findChild('DefaultPolicy') as Policy).node
      .defaultChild as CfnPolicy;
    const statements = apiTemplate.toJSON().Resources[api.getLogicalId(policy)].Properties.PolicyDocument
      .Statement as Statement[];
    const sends = statements.filter((s) =>
      list(s.Action).some((a) => /^sms-voice:(SendTextMessage|\*)$|^\*$/.test(a)),
    );
    const ownResources = ['phone-number', 'pool', 'sender-id', 'configuration-set'].map((type) =>
      resolvedIn(api, `arn:aws:sms-voice:us-west-2:${api.account}:${type}/*`),
    );
    // The identities and configuration set of the Data stack by ARN, and anything else only with the cell tag.
    expect(sends).toHaveLength(2);
    const byArn = sends.find((send) => send.Condition === undefined)!;
    expect(byArn).toMatchObject({ Effect: 'Allow', Action: 'sms-voice:SendTextMessage' });
    expect(list(byArn.Resource).sort()).toEqual(
      [data.configurationSet.attrArn, demoSim.attrArn, ukSender.attrArn, ukPool.attrArn]
        .map((arn) => resolvedIn(api, arn))
        .sort(),
    );
    const [send] = sends.filter((candidate) => candidate !== byArn) as [Statement];
    expect(send.Effect).toBe('Allow');
    expect(list(send.Action)).toEqual(['sms-voice:SendTextMessage']);
    expect(list(send.Resource)).toHaveLength(ownResources.length);
    expect(list(send.Resource)).toEqual(expect.arrayContaining(ownResources));
    expect(send.Condition).toEqual({ StringEquals: { 'aws:ResourceTag/optline:cell': 'sandbox' } });
  });

  it("grants SendTextMessage in the Api stack only on the cell's own resources by ARN, or with the cell tag condition", () => {
    const own = new Set(
      [data.configurationSet.attrArn, demoSim.attrArn, ukSender.attrArn, ukPool.attrArn].map((arn) =>
        JSON.stringify(resolvedIn(api, arn)),
      ),
    );
    const statements = Object.values(apiTemplate.findResources('AWS::IAM::Policy')).flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement as Statement[],
    );
    const sends = statements.filter(
      (s) =>
        s.Effect === 'Allow' && list(s.Action).some((a) => /^sms-voice:(SendTextMessage|\*)$|^\*$/.test(a)),
    );
    expect(sends.length).toBeGreaterThan(0);
    for (const send of sends) {
      if (send.Condition === undefined) {
        for (const resource of list(send.Resource)) expect(own.has(JSON.stringify(resource))).toBe(true);
      } else {
        expect(send.Condition).toEqual({ StringEquals: { 'aws:ResourceTag/optline:cell': 'sandbox' } });
      }
    }
  });
});

describe('the default cells', () => {
  it.each(defaults.map((defaultCell) => [defaultCell.config.name, defaultCell] as const))(
    'the %s cell provisions no phone number, pool or sender id, and its INBOUND_NUMBERS is []',
    (_name, defaultCell) => {
      const template = Template.fromStack(defaultCell.data);
      template.resourceCountIs('AWS::SMSVOICE::PhoneNumber', 0);
      template.resourceCountIs('AWS::SMSVOICE::Pool', 0);
      template.resourceCountIs('AWS::SMSVOICE::SenderId', 0);
      const inbound = functionResource(
        Template.fromStack(defaultCell.api),
        defaultCell.api,
        defaultCell.api.inboundSms.function,
      );
      expect(JSON.parse(variablesOf(inbound)[INBOUND_NUMBERS_ENV])).toEqual([]);
    },
  );
});
