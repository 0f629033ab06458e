import type { StackArtifact } from '../assembly';
import { num } from '../cfn';
import type { LogGroupReport } from '../model';
import type { References } from '../references';
import { resourcesOfType } from './resources';

/** CloudWatch Logs log groups with their retention and KMS key. */
export function collectLogGroups(stacks: readonly StackArtifact[], refs: References): LogGroupReport[] {
  return resourcesOfType(stacks, refs, 'AWS::Logs::LogGroup').map((group) => {
    const { LogGroupName: name, RetentionInDays: days, KmsKeyId: key } = group.properties;
    return {
      path: group.path,
      name: name === undefined ? undefined : refs.render(name, group.stack),
      retentionDays: num(days),
      kmsKey: key === undefined ? undefined : refs.label(key, group.stack),
    };
  });
}
