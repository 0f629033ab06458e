import type { StackArtifact, TemplateResource } from '../assembly';
import { sortedBy } from '../cfn';
import type { References } from '../references';

/** A resource together with where it lives, so collectors can resolve its references. */
export interface Located {
  readonly stack: string;
  readonly logicalId: string;
  readonly resource: TemplateResource;
  readonly properties: Readonly<Record<string, unknown>>;
  /** Construct path, for display and for matching. */
  readonly path: string;
}

/** The resources of the given types in a cell's stacks, in construct-path order. */
export function resourcesOfType(
  stacks: readonly StackArtifact[],
  refs: References,
  ...types: readonly string[]
): Located[] {
  return stacks
    .flatMap((stack) =>
      Object.entries(stack.template.Resources)
        .filter(([, resource]) => types.includes(resource.Type))
        .map(([logicalId, resource]) => ({
          stack: stack.name,
          logicalId,
          resource,
          properties: resource.Properties ?? {},
          path: refs.path({ stack: stack.name, logicalId }),
        })),
    )
    .sort(sortedBy((item) => item.path));
}
