import { bool, field } from '../cfn';
import type { Encryption } from '../model';
import type { References } from '../references';

/**
 * The encryption a KMS key reference gives: the key's construct path and its `EnableKeyRotation` when the key
 * is in the assembly (following an alias to its key), otherwise the reference as text with rotation unknown.
 */
export function kmsEncryption(keyValue: unknown, stack: string, refs: References): Encryption {
  let target = refs.target(keyValue, stack);
  let resource = target && refs.resource(target);
  if (target && resource?.Type === 'AWS::KMS::Alias') {
    target = refs.target(field(resource.Properties, 'TargetKeyId'), target.stack);
    resource = target && refs.resource(target);
  }
  if (target && resource?.Type === 'AWS::KMS::Key') {
    return {
      kind: 'customer-managed',
      key: refs.path(target),
      // CloudFormation's default for EnableKeyRotation is false.
      rotation: bool(field(resource.Properties, 'EnableKeyRotation')) ?? false,
    };
  }
  const text = refs.render(keyValue, stack);
  if (/(^|:)alias\/aws\//.test(text)) return { kind: 'aws-managed' };
  return { kind: 'customer-managed', key: text };
}
