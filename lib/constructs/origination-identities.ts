import { RemovalPolicy, type CfnResource } from 'aws-cdk-lib';
import { CfnPhoneNumber, CfnPool, CfnSenderId, type CfnOptOutList } from 'aws-cdk-lib/aws-smsvoice';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { InboundNumber } from '../../lambdas/domain/origination-identities';
import { helpReply, optOutConfirmation } from '../../lambdas/domain/replies';
import type { ChannelConfig } from '../../lambdas/domain/sms';
import type { OriginationIdentityConfig, TenantProfile } from '../config';

export interface OriginationIdentitiesProps {
  /** The identities to provision, each for one tenant (validated with the cell config). */
  readonly identities: readonly OriginationIdentityConfig[];
  /** The profile of every tenant that has an identity: its HELP and STOP texts are registered with its numbers. */
  readonly profiles: Readonly<Record<string, TenantProfile>>;
  /** The cell's opt-out list, which optline's opt-outs are mirrored to; every identity consults it. */
  readonly optOutList: CfnOptOutList;
  /** Where inbound SMS go; its policy and key must admit End User Messaging. */
  readonly inboundTopic: ITopic;
  /** The inbound topic's policy, which must exist before a number's two-way channel points at the topic. */
  readonly inboundTopicPolicy: CfnResource;
  /** The configuration set tenants send with, which routes delivery events. */
  readonly configurationSetName: string;
}

const pascal = (name: string): string =>
  name.replace(/(^|-)([a-z0-9])/g, (_match, _dash: string, letter: string) => letter.toUpperCase());

/**
 * The origination identities of a cell, as code (DESIGN §9). Each phone number is an `AWS::SMSVOICE::PhoneNumber`:
 * - associated with the cell's opt-out list, so optline's mirrored opt-outs block sends at the provider (new numbers
 *   use the `Default` list otherwise);
 * - with self-managed opt-outs on: End User Messaging neither answers STOP and HELP nor opts anyone out itself, so a
 *   subscriber gets optline's one confirmation, never two (self-managed opt-outs require two-way SMS);
 * - two-way, to the cell's inbound topic;
 * - with the tenant's HELP and STOP texts as its mandatory keywords.
 * A sender id, which has no keywords, list or two-way of its own, sends through a pool that carries the list. A
 * tenant has one identity (checked with the cell config): numbers in a pool can no longer be updated.
 *
 * Identities are retained on update and delete, and removed only when their first create is rolled back, so a
 * failed first deploy leaves none to pay for and can be retried. They are created without deletion protection,
 * which End User Messaging would otherwise hold against that rollback. They wait for the inbound topic's policy, so
 * End User Messaging may publish from the moment a number exists. CloudFormation cannot register numbers: types
 * that need a registration are registered by hand and listed under the cell's `inboundNumbers`.
 * https://docs.aws.amazon.com/sms-voice/latest/userguide/opt-out-list-self-managed.html
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-smsvoice-phonenumber.html
 */
export class OriginationIdentities extends Construct {
  /** The channel each tenant with identities sends through: End User Messaging, from its identity or pool. */
  public readonly channels: ReadonlyMap<string, ChannelConfig>;
  /** The numbers that receive SMS, with their tenant and type. */
  public readonly inboundNumbers: readonly InboundNumber[];
  public readonly phoneNumbers: readonly CfnPhoneNumber[];
  public readonly senderIds: readonly CfnSenderId[];
  public readonly pools: readonly CfnPool[];

  constructor(scope: Construct, id: string, props: OriginationIdentitiesProps) {
    super(scope, id);
    const phoneNumbers: CfnPhoneNumber[] = [];
    const senderIds: CfnSenderId[] = [];
    const pools: CfnPool[] = [];
    const inboundNumbers: InboundNumber[] = [];
    const channels = new Map<string, ChannelConfig>();

    const created = (resource: CfnResource): void => {
      resource.applyRemovalPolicy(RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE);
      resource.addResourceDependency(props.inboundTopicPolicy);
    };
    for (const identity of props.identities) {
      const { tenant } = identity;
      const keywords = mandatoryKeywords(props.profiles[tenant]!);
      let originationIdentity: string;
      if (identity.type === 'SENDER_ID') {
        const senderId = new CfnSenderId(this, pascal(identity.name), {
          isoCountryCode: identity.country,
          senderId: identity.senderId!,
          deletionProtectionEnabled: false,
        });
        // One-way: self-managed opt-outs need two-way SMS, which a sender id cannot have.
        const pool = new CfnPool(this, `${pascal(tenant)}Pool`, {
          originationIdentities: [senderId.attrArn],
          mandatoryKeywords: keywords,
          optOutListName: props.optOutList.attrArn,
          selfManagedOptOutsEnabled: false,
          twoWay: { enabled: false },
          deletionProtectionEnabled: false,
        });
        for (const resource of [senderId, pool]) created(resource);
        senderIds.push(senderId);
        pools.push(pool);
        originationIdentity = pool.attrArn;
      } else {
        const number = new CfnPhoneNumber(this, pascal(identity.name), {
          isoCountryCode: identity.country,
          numberType: identity.type,
          numberCapabilities: ['SMS'],
          mandatoryKeywords: keywords,
          optOutListName: props.optOutList.attrArn,
          selfManagedOptOutsEnabled: true,
          twoWay: { enabled: true, channelArn: props.inboundTopic.topicArn },
          deletionProtectionEnabled: false,
        });
        created(number);
        phoneNumbers.push(number);
        inboundNumbers.push({ number: number.attrPhoneNumber, tenant, type: identity.type });
        originationIdentity = number.attrArn;
      }
      channels.set(tenant, {
        channel: 'end-user-messaging',
        originationIdentity,
        // Its sends take slots on this identity's own schedule, at its MPS (lambdas/domain/send-rate.ts).
        rateIdentity: identity.name,
        configurationSetName: props.configurationSetName,
      });
    }
    this.channels = channels;
    this.inboundNumbers = inboundNumbers;
    this.phoneNumbers = phoneNumbers;
    this.senderIds = senderIds;
    this.pools = pools;
  }
}

/**
 * The HELP and STOP texts registered with a tenant's numbers: the replies optline itself sends, in English. With
 * self-managed opt-outs End User Messaging does not send them; carriers and registrations read them.
 */
function mandatoryKeywords(profile: TenantProfile): CfnPhoneNumber.MandatoryKeywordsProperty {
  return {
    help: { message: helpReply(profile, 'en') },
    stop: { message: optOutConfirmation(profile.brand, 'en') },
  };
}
