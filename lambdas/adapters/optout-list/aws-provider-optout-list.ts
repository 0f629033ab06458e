/**
 * The cell's provider opt-out lists: the End User Messaging opt-out list of the cell's configuration set, and the
 * account's SNS SMS opt-out list. SNS has no call that adds a number (only carriers and STOP replies do), so
 * additions go to End User Messaging; removals and reads cover both.
 */
import {
  DeleteOptedOutNumberCommand,
  paginateDescribeOptedOutNumbers,
  PutOptedOutNumberCommand,
  type PinpointSMSVoiceV2Client,
} from '@aws-sdk/client-pinpoint-sms-voice-v2';
import {
  CheckIfPhoneNumberIsOptedOutCommand,
  OptInPhoneNumberCommand,
  paginateListPhoneNumbersOptedOut,
  type SNSClient,
} from '@aws-sdk/client-sns';
import type { ProviderOptedOutNumber, ProviderOptOutList, ProviderRemoval } from '../../domain/consent';

export interface AwsProviderOptOutListProps {
  readonly endUserMessaging: PinpointSMSVoiceV2Client;
  readonly sns: SNSClient;
  /** The cell's End User Messaging opt-out list. */
  readonly optOutListName: string;
}

/** An error's name only: provider messages may quote the number. */
const refusalOf = (provider: string, error: unknown): string =>
  `${provider}:${error instanceof Error ? error.name : 'Error'}`;

export class AwsProviderOptOutList implements ProviderOptOutList {
  constructor(private readonly props: AwsProviderOptOutListProps) {}

  async add(e164: string): Promise<void> {
    // Idempotent: putting a number that is already on the list succeeds.
    await this.props.endUserMessaging.send(
      new PutOptedOutNumberCommand({ OptOutListName: this.props.optOutListName, OptedOutNumber: e164 }),
    );
  }

  async remove(e164: string): Promise<ProviderRemoval> {
    const refusals = (
      await Promise.all([this.removeFromEndUserMessaging(e164), this.removeFromSns(e164)])
    ).filter((refusal): refusal is string => refusal !== undefined);
    return refusals.length === 0 ? { removed: true } : { removed: false, refusal: refusals.join('; ') };
  }

  private async removeFromEndUserMessaging(e164: string): Promise<string | undefined> {
    try {
      await this.props.endUserMessaging.send(
        new DeleteOptedOutNumberCommand({ OptOutListName: this.props.optOutListName, OptedOutNumber: e164 }),
      );
      return undefined;
    } catch (error) {
      // Not on the list: nothing to remove.
      if (error instanceof Error && error.name === 'ResourceNotFoundException') return undefined;
      return refusalOf('end-user-messaging', error);
    }
  }

  private async removeFromSns(e164: string): Promise<string | undefined> {
    try {
      // SNS allows one opt-in per number every 30 days: spend it only on a number SNS actually blocks.
      const { isOptedOut } = await this.props.sns.send(
        new CheckIfPhoneNumberIsOptedOutCommand({ phoneNumber: e164 }),
      );
      if (!isOptedOut) return undefined;
      await this.props.sns.send(new OptInPhoneNumberCommand({ phoneNumber: e164 }));
      return undefined;
    } catch (error) {
      return refusalOf('sns', error);
    }
  }

  async *optedOut(): AsyncIterable<ProviderOptedOutNumber> {
    const pages = paginateDescribeOptedOutNumbers(
      { client: this.props.endUserMessaging },
      { OptOutListName: this.props.optOutListName },
    );
    for await (const page of pages) {
      for (const entry of page.OptedOutNumbers ?? []) {
        if (entry.OptedOutNumber) yield { e164: entry.OptedOutNumber, provider: 'end-user-messaging' };
      }
    }
    for await (const page of paginateListPhoneNumbersOptedOut({ client: this.props.sns }, {})) {
      for (const phone of page.phoneNumbers ?? []) yield { e164: phone, provider: 'sns' };
    }
  }
}
