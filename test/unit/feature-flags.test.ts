import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FeatureFlags, Stack } from 'aws-cdk-lib';
import { CURRENT_VERSION_EXPIRED_FLAGS, FLAGS } from 'aws-cdk-lib/cx-api';
import recommended from 'aws-cdk-lib/recommended-feature-flags.json';
import { FEATURE_FLAGS, FLAGS_NOT_FOLLOWED } from '../../lib/feature-flags';
import { newOptlineApp } from '../../lib/optline-app';

/**
 * FEATURE_FLAGS against the installed aws-cdk-lib: its recommended flags for a new app (what `cdk init` writes into
 * cdk.json) and the flags it knows (`FLAGS` of aws-cdk-lib/cx-api). An upgrade that recommends a new flag fails here
 * until the flag is reviewed and added.
 * https://docs.aws.amazon.com/cdk/v2/guide/featureflags.html
 */
const RECOMMENDED: Readonly<Record<string, unknown>> = recommended;
const SNS_SQS_DECRYPTION = '@aws-cdk/aws-sns-subscriptions:restrictSqsDescryption';
const CROSS_STACK_REFERENCES = '@aws-cdk/core:defaultCrossStackReferences';

describe('the CDK feature flags of the app', () => {
  it('sets every flag aws-cdk-lib recommends for a new app, at the recommended value unless a reason says otherwise', () => {
    // GIVEN the recommendations of the installed aws-cdk-lib
    expect(Object.keys(RECOMMENDED).length).toBeGreaterThan(0);
    // THEN none is missing from FEATURE_FLAGS, and only a flag with a stated reason is set otherwise
    const differing = Object.entries(RECOMMENDED)
      .filter(([flag, value]) => JSON.stringify(FEATURE_FLAGS[flag]) !== JSON.stringify(value))
      .map(([flag]) => flag);
    expect(differing.sort()).toEqual(Object.keys(FLAGS_NOT_FOLLOWED).sort());
    for (const flag of differing) expect(FEATURE_FLAGS).toHaveProperty([flag]);
    for (const reason of Object.values(FLAGS_NOT_FOLLOWED)) expect(reason.length).toBeGreaterThan(80);
  });

  it('sets no flag aws-cdk-lib does not know, so a misspelt flag cannot silently do nothing', () => {
    const unknown = Object.keys(FEATURE_FLAGS).filter((flag) => !(flag in FLAGS));
    expect(unknown).toEqual([]);
  });

  it('checks names exactly: the natural spelling of the SNS-to-SQS decryption flag is not a flag', () => {
    // aws-cdk-lib spells this flag "Descryption"; "Decryption" would be ignored without a word.
    expect(FLAGS).toHaveProperty([SNS_SQS_DECRYPTION]);
    expect(FLAGS).not.toHaveProperty(['@aws-cdk/aws-sns-subscriptions:restrictSqsDecryption']);
    expect(FEATURE_FLAGS[SNS_SQS_DECRYPTION]).toBe(true);
  });

  it('sets no flag that has expired in CDK v2, which could no longer be switched', () => {
    expect(Object.keys(FEATURE_FLAGS).filter((flag) => CURRENT_VERSION_EXPIRED_FLAGS.includes(flag))).toEqual(
      [],
    );
  });

  it('is not overridden by cdk.json, whose context the CDK CLI gives precedence over the app', () => {
    const cdkJson = JSON.parse(readFileSync(join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as {
      context?: Record<string, unknown>;
    };
    const overridden = Object.entries(cdkJson.context ?? {}).filter(
      ([flag, value]) =>
        flag in FEATURE_FLAGS && JSON.stringify(FEATURE_FLAGS[flag]) !== JSON.stringify(value),
    );
    expect(overridden).toEqual([]);
  });
});

describe('newOptlineApp', () => {
  it('puts every flag into the app context', () => {
    const app = newOptlineApp();
    const missing = Object.entries(FEATURE_FLAGS).filter(
      ([flag, value]) => JSON.stringify(app.node.tryGetContext(flag)) !== JSON.stringify(value),
    );
    expect(missing).toEqual([]);
  });

  it('turns on the flags optline relies on, as the constructs of its stacks read them', () => {
    const stack = new Stack(newOptlineApp(), 'Probe');
    expect(stack.node.tryGetContext(CROSS_STACK_REFERENCES)).toBe('weak');
    expect(FeatureFlags.of(stack).isEnabled(SNS_SQS_DECRYPTION)).toBe(true);
    expect(FeatureFlags.of(stack).isEnabled('@aws-cdk/core:annotationsInValidationReport')).toBe(true);
  });

  it('lets a caller override one flag through its context and keeps the others', () => {
    const app = newOptlineApp({ context: { [SNS_SQS_DECRYPTION]: false, 'optline:probe': 'kept' } });
    expect(app.node.tryGetContext(SNS_SQS_DECRYPTION)).toBe(false);
    expect(app.node.tryGetContext('optline:probe')).toBe('kept');
    expect(app.node.tryGetContext(CROSS_STACK_REFERENCES)).toBe('weak');
  });
});
