import { CfnPhoneNumber, CfnPool, CfnSenderId, type CfnOptOutList } from 'aws-cdk-lib/aws-smsvoice';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { IDENTITY_RULES, type InboundNumber } from '../../lambdas/domain/origination-identities';
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
 * A tenant with more than one identity, or a sender id (which has no keywords, list or two-way of its own), sends
 * through a pool holding them with the same settings. A pool's identities must all match the first one's
 * configuration, so a tenant has phone numbers or sender ids, never both (checked with the cell config).
 *
 * Numbers are retained with deletion protection: a number released is gone, with its registration. CloudFormation
 * cannot register numbers; a registration that provisions a number (US 10DLC) is followed by importing it.
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

    for (const tenant of new Set(props.identities.map((identity) => identity.tenant))) {
      const keywords = mandatoryKeywords(props.profiles[tenant]!);
      const twoWay = { enabled: true, channelArn: props.inboundTopic.topicArn };
      const arns: string[] = [];
      let receives = false;
      let hasSenderId = false;
      for (const identity of props.identities.filter((candidate) => candidate.tenant === tenant)) {
        if (identity.type === 'SENDER_ID') {
          const senderId = new CfnSenderId(this, pascal(identity.name), {
            isoCountryCode: identity.country,
            senderId: identity.senderId!,
            deletionProtectionEnabled: true,
          });
          senderIds.push(senderId);
          arns.push(senderId.attrArn);
          hasSenderId = true;
          continue;
        }
        const number = new CfnPhoneNumber(this, pascal(identity.name), {
          isoCountryCode: identity.country,
          numberType: identity.type,
          numberCapabilities: ['SMS'],
          mandatoryKeywords: keywords,
          optOutListName: props.optOutList.attrArn,
          selfManagedOptOutsEnabled: true,
          twoWay,
          deletionProtectionEnabled: true,
        });
        phoneNumbers.push(number);
        arns.push(number.attrArn);
        if (IDENTITY_RULES[identity.type].twoWay) {
          receives = true;
          inboundNumbers.push({ number: number.attrPhoneNumber, tenant, type: identity.type });
        }
      }
      let originationIdentity = arns[0]!;
      if (arns.length > 1 || hasSenderId) {
        const pool = new CfnPool(this, `${pascal(tenant)}Pool`, {
          originationIdentities: arns,
          mandatoryKeywords: keywords,
          optOutListName: props.optOutList.attrArn,
          // Self-managed opt-outs need two-way SMS, which a pool of sender ids alone cannot have.
          selfManagedOptOutsEnabled: receives,
          twoWay: receives ? twoWay : { enabled: false },
          deletionProtectionEnabled: true,
        });
        pools.push(pool);
        originationIdentity = pool.attrArn;
      }
      channels.set(tenant, {
        channel: 'end-user-messaging',
        originationIdentity,
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
