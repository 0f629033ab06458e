import type { Json, ResourceHandle, TemplateSet } from './template-set';

/** The key a delivery target is encrypted with, as far as admissions are concerned. */
export type TargetKey =
  | { readonly kind: 'none' }
  | { readonly kind: 'customer-managed'; readonly key: ResourceHandle }
  /** A key whose policy the templates cannot show: an AWS managed key, or one defined elsewhere. */
  | { readonly kind: 'unverifiable'; readonly why: string };

/** The key-id property of each encrypted target type this check reads. */
const KEY_PROPERTY: Record<string, (props: Record<string, Json>) => Json> = {
  'AWS::SNS::Topic': (p) => p.KmsMasterKeyId,
  'AWS::SQS::Queue': (p) => p.KmsMasterKeyId,
  'AWS::Logs::LogGroup': (p) => p.KmsKeyId,
  'AWS::S3::Bucket': (p) => {
    const rules = (p.BucketEncryption as { ServerSideEncryptionConfiguration?: Json[] } | undefined)
      ?.ServerSideEncryptionConfiguration;
    const byDefault = (rules?.[0] as { ServerSideEncryptionByDefault?: Record<string, Json> } | undefined)
      ?.ServerSideEncryptionByDefault;
    if (!byDefault || byDefault.SSEAlgorithm === 'AES256') return undefined;
    // aws:kms without a key id means the AWS managed aws/s3 key.
    return byDefault.KMSMasterKeyID ?? 'alias/aws/s3';
  },
};

export function targetKey(templates: TemplateSet, target: ResourceHandle): TargetKey {
  const read = KEY_PROPERTY[target.resource.Type];
  if (!read)
    return { kind: 'unverifiable', why: `the check does not know how ${target.resource.Type} names its key` };
  const expression = read(target.resource.Properties ?? {});
  if (expression === undefined) return { kind: 'none' };
  const named = templates.render(target.stack, expression);
  let key =
    templates.resolve(target.stack, expression)?.target ??
    templates
      .ofType('AWS::KMS::Alias')
      .find((alias) => templates.render(alias.stack, alias.resource.Properties?.AliasName) === named);
  if (key?.resource.Type === 'AWS::KMS::Alias') {
    key = templates.resolve(key.stack, key.resource.Properties?.TargetKeyId)?.target;
  }
  if (key?.resource.Type === 'AWS::KMS::Key') return { kind: 'customer-managed', key };
  return {
    kind: 'unverifiable',
    why: named.startsWith('alias/aws/')
      ? `it is encrypted with the AWS managed key ${named}, whose policy cannot be changed to admit other services`
      : `its key ${named} is not defined in these templates`,
  };
}
