import {
  DeleteOptedOutNumberCommand,
  DescribeOptedOutNumbersCommand,
  PinpointSMSVoiceV2Client,
  PutOptedOutNumberCommand,
  ResourceNotFoundException,
  ValidationException,
} from '@aws-sdk/client-pinpoint-sms-voice-v2';
import {
  CheckIfPhoneNumberIsOptedOutCommand,
  ListPhoneNumbersOptedOutCommand,
  OptInPhoneNumberCommand,
  SNSClient,
  ThrottledException,
} from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { AwsProviderOptOutList } from '../../lambdas/adapters/optout-list/aws-provider-optout-list';
import { InMemoryProviderOptOutList } from '../../lambdas/adapters/optout-list/in-memory-provider-optout-list';

const PHONE = '+447400123456';
const LIST = 'optline-eu';
const eum = mockClient(PinpointSMSVoiceV2Client);
const sns = mockClient(SNSClient);
const list = new AwsProviderOptOutList({
  endUserMessaging: new PinpointSMSVoiceV2Client({ region: 'eu-west-1' }),
  sns: new SNSClient({ region: 'eu-west-1' }),
  optOutListName: LIST,
});

beforeEach(() => {
  eum.reset();
  sns.reset();
});

const refusedBy = (name: string) => ({ name, $metadata: {}, message: `bad number ${PHONE}` });

describe('AwsProviderOptOutList', () => {
  it('adds a number to the cell opt-out list of End User Messaging', async () => {
    eum.on(PutOptedOutNumberCommand).resolves({});

    await list.add(PHONE);

    expect(eum).toHaveReceivedCommandWith(PutOptedOutNumberCommand, {
      OptOutListName: LIST,
      OptedOutNumber: PHONE,
    });
  });

  it('removes a number from both providers, spending the SNS opt-in only on a number SNS blocks', async () => {
    eum.on(DeleteOptedOutNumberCommand).resolves({});
    sns.on(CheckIfPhoneNumberIsOptedOutCommand).resolves({ isOptedOut: false });

    const removal = await list.remove(PHONE);

    expect(removal).toEqual({ removed: true });
    expect(eum).toHaveReceivedCommandWith(DeleteOptedOutNumberCommand, {
      OptOutListName: LIST,
      OptedOutNumber: PHONE,
    });
    expect(sns).not.toHaveReceivedCommand(OptInPhoneNumberCommand);
  });

  it('counts a number End User Messaging does not hold as removed', async () => {
    eum
      .on(DeleteOptedOutNumberCommand)
      .rejects(new ResourceNotFoundException(refusedBy('ResourceNotFoundException') as never));
    sns.on(CheckIfPhoneNumberIsOptedOutCommand).resolves({ isOptedOut: true });
    sns.on(OptInPhoneNumberCommand).resolves({});

    expect(await list.remove(PHONE)).toEqual({ removed: true });
    expect(sns).toHaveReceivedCommandWith(OptInPhoneNumberCommand, { phoneNumber: PHONE });
  });

  it('reports every refusal by provider and error name, never by the number', async () => {
    eum
      .on(DeleteOptedOutNumberCommand)
      .rejects(new ValidationException(refusedBy('ValidationException') as never));
    sns.on(CheckIfPhoneNumberIsOptedOutCommand).resolves({ isOptedOut: true });
    sns.on(OptInPhoneNumberCommand).rejects(new ThrottledException(refusedBy('ThrottledException') as never));

    const removal = await list.remove(PHONE);

    expect(removal).toEqual({
      removed: false,
      refusal: 'end-user-messaging:ValidationException; sns:ThrottledException',
    });
  });

  it('reads every page of both lists', async () => {
    eum
      .on(DescribeOptedOutNumbersCommand, { NextToken: undefined })
      .resolves({
        OptedOutNumbers: [
          { OptedOutNumber: '+447400000001', OptedOutTimestamp: new Date(), EndUserOptedOut: true },
        ],
        NextToken: 'p2',
      })
      .on(DescribeOptedOutNumbersCommand, { NextToken: 'p2' })
      .resolves({
        OptedOutNumbers: [
          { OptedOutNumber: '+447400000002', OptedOutTimestamp: new Date(), EndUserOptedOut: false },
        ],
      });
    sns
      .on(ListPhoneNumbersOptedOutCommand, { nextToken: undefined })
      .resolves({ phoneNumbers: ['+15005550001'], nextToken: 'n2' })
      .on(ListPhoneNumbersOptedOutCommand, { nextToken: 'n2' })
      .resolves({ phoneNumbers: ['+15005550002'] });

    const numbers = [];
    for await (const entry of list.optedOut()) numbers.push(entry);

    expect(numbers).toEqual([
      { e164: '+447400000001', provider: 'end-user-messaging' },
      { e164: '+447400000002', provider: 'end-user-messaging' },
      { e164: '+15005550001', provider: 'sns' },
      { e164: '+15005550002', provider: 'sns' },
    ]);
    expect(eum).toHaveReceivedCommandWith(DescribeOptedOutNumbersCommand, { OptOutListName: LIST });
  });
});

describe('InMemoryProviderOptOutList', () => {
  it('allows one removal per number every 30 days, like the providers', async () => {
    let now = new Date('2026-11-01T00:00:00Z');
    const local = new InMemoryProviderOptOutList(() => now);
    await local.add(PHONE);
    expect(await local.remove(PHONE)).toEqual({ removed: true });
    await local.add(PHONE);

    now = new Date('2026-11-30T23:59:59Z');
    expect((await local.remove(PHONE)).removed).toBe(false);
    now = new Date('2026-12-01T00:00:00Z');
    expect(await local.remove(PHONE)).toEqual({ removed: true });
    expect(local.has(PHONE)).toBe(false);
  });
});
