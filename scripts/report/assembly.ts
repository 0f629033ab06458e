import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from '../../lambdas/shared/zod';

/** Thrown when there is no cloud assembly to report on; main turns it into a hint to synthesize first. */
export class AssemblyNotFoundError extends Error {
  constructor(readonly manifestPath: string) {
    super(`No cloud assembly: ${manifestPath} does not exist. Run \`npx cdk synth\` first.`);
    this.name = 'AssemblyNotFoundError';
  }
}

const resourceSchema = z.object({
  Type: z.string(),
  Properties: z.optional(z.record(z.string(), z.unknown())),
  Metadata: z.optional(z.record(z.string(), z.unknown())),
  DeletionPolicy: z.optional(z.string()),
});

const templateSchema = z.object({
  /** Template-level Metadata, such as a cell's retention overrides (`optline:retentionOverrides`). */
  Metadata: z.optional(z.record(z.string(), z.unknown())),
  Resources: z._default(z.record(z.string(), resourceSchema), {}),
  Outputs: z.optional(
    z.record(
      z.string(),
      z.object({ Value: z.unknown(), Export: z.optional(z.object({ Name: z.unknown() })) }),
    ),
  ),
});

const metadataEntrySchema = z.object({ type: z.string(), data: z.optional(z.unknown()) });
const stackMetadataSchema = z.record(z.string(), z.array(metadataEntrySchema));

const manifestSchema = z.object({
  artifacts: z._default(
    z.record(
      z.string(),
      z.object({
        type: z.string(),
        environment: z.optional(z.string()),
        properties: z.optional(
          z.object({ templateFile: z.optional(z.string()), stackName: z.optional(z.string()) }),
        ),
        metadata: z.optional(stackMetadataSchema),
        additionalMetadataFile: z.optional(z.string()),
      }),
    ),
    {},
  ),
});

export type TemplateResource = z.infer<typeof resourceSchema>;
export type Template = z.infer<typeof templateSchema>;
/** Construct path (with a leading slash) → metadata entries, as CDK writes it for a stack artifact. */
export type StackMetadata = z.infer<typeof stackMetadataSchema>;

export interface StackArtifact {
  /** The CloudFormation stack name. */
  readonly name: string;
  /** `aws://<account>/<region>` as the manifest states it. */
  readonly environment: string;
  readonly region: string;
  readonly template: Template;
  readonly metadata: StackMetadata;
}

export interface CloudAssembly {
  readonly stacks: readonly StackArtifact[];
}

const readJson = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'));

/** `aws://unknown-account/eu-west-1` → `eu-west-1`; anything unparsable is kept whole so it shows up. */
export function regionOf(environment: string): string {
  return /^aws:\/\/[^/]*\/(.+)$/.exec(environment)?.[1] ?? environment;
}

/**
 * Reads the stacks of a cloud assembly: templates plus the construct metadata that carries cdk-nag
 * acknowledgements. Current CDK writes that metadata to `additionalMetadataFile`; older versions inline it in
 * the manifest, so both are merged.
 */
export function readAssembly(dir: string): CloudAssembly {
  const manifestPath = join(dir, 'manifest.json');
  if (!existsSync(manifestPath)) throw new AssemblyNotFoundError(manifestPath);
  const manifest = manifestSchema.parse(readJson(manifestPath));

  const stacks = Object.entries(manifest.artifacts)
    .filter(([, artifact]) => artifact.type === 'aws:cloudformation:stack')
    .map(([id, artifact]): StackArtifact => {
      const templateFile = artifact.properties?.templateFile ?? `${id}.template.json`;
      const extra = artifact.additionalMetadataFile
        ? stackMetadataSchema.parse(readJson(join(dir, artifact.additionalMetadataFile)))
        : {};
      const environment = artifact.environment ?? 'aws://unknown-account/unknown-region';
      return {
        name: artifact.properties?.stackName ?? id,
        environment,
        region: regionOf(environment),
        template: templateSchema.parse(readJson(join(dir, templateFile))),
        metadata: mergeMetadata(artifact.metadata ?? {}, extra),
      };
    });
  return { stacks };
}

function mergeMetadata(a: StackMetadata, b: StackMetadata): StackMetadata {
  const merged: Record<string, StackMetadata[string]> = { ...a };
  for (const [path, entries] of Object.entries(b)) merged[path] = [...(merged[path] ?? []), ...entries];
  return merged;
}

/** Reads an optional JSON input: `undefined` when the file is absent, so a report can say "not run". */
export function readOptionalJson(path: string): unknown {
  return existsSync(path) ? readJson(path) : undefined;
}
