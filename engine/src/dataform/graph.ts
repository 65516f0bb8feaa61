import { z } from "zod";

/**
 * The compiled Dataform graph as printed by `dataform compile --json` (core 3.0.x). It is proto3 JSON:
 * empty or default fields are OMITTED (no `tags` key when there are no tags, no `preOps` when empty), so
 * every list defaults to `[]` here and the runner never has to guard against `undefined`.
 * Objects are loose: fields we do not use (jitData, actionDescriptor, hermeticity ...) pass through.
 */

const list = <T extends z.ZodType>(item: T) =>
  z
    .array(item)
    .optional()
    .transform((v) => v ?? []);
const strings = list(z.string());

export const targetSchema = z.looseObject({
  database: z.string().optional(),
  schema: z.string(),
  name: z.string(),
});
export type Target = z.infer<typeof targetSchema>;

const actionBase = {
  target: targetSchema,
  canonicalTarget: targetSchema.optional(),
  fileName: z.string().optional(),
  tags: strings,
  dependencyTargets: list(targetSchema),
  disabled: z
    .boolean()
    .optional()
    .transform((v) => v ?? false),
};

export const tableSchema = z.looseObject({
  ...actionBase,
  type: z.enum(["table", "view", "incremental"]),
  query: z
    .string()
    .optional()
    .transform((v) => v ?? ""),
  incrementalQuery: z.string().optional(),
  preOps: strings,
  postOps: strings,
  incrementalPreOps: strings,
  incrementalPostOps: strings,
  uniqueKey: strings,
  protected: z.boolean().optional(),
  bigquery: z
    .looseObject({
      partitionBy: z.string().optional(),
      clusterBy: strings,
      updatePartitionFilter: z.string().optional(),
    })
    .optional(),
});
export type TableAction = z.infer<typeof tableSchema>;

export const operationSchema = z.looseObject({
  ...actionBase,
  queries: strings,
  hasOutput: z
    .boolean()
    .optional()
    .transform((v) => v ?? false),
});
export type OperationAction = z.infer<typeof operationSchema>;

export const assertionSchema = z.looseObject({
  ...actionBase,
  query: z.string(),
  parentAction: targetSchema.optional(),
});
export type AssertionAction = z.infer<typeof assertionSchema>;

export const declarationSchema = z.looseObject({
  target: targetSchema,
  canonicalTarget: targetSchema.optional(),
  fileName: z.string().optional(),
});
export type DeclarationAction = z.infer<typeof declarationSchema>;

export const unitTestSchema = z.looseObject({
  name: z.string(),
  testQuery: z.string(),
  expectedOutputQuery: z.string(),
  fileName: z.string().optional(),
  target: targetSchema.optional(),
});
export type UnitTest = z.infer<typeof unitTestSchema>;

export const compilationErrorSchema = z.looseObject({
  fileName: z.string().optional(),
  message: z.string().optional(),
  stack: z.string().optional(),
  actionName: z.string().optional(),
  actionTarget: targetSchema.optional(),
});
export type CompilationError = z.infer<typeof compilationErrorSchema>;

export const compiledGraphSchema = z.looseObject({
  tables: list(tableSchema),
  operations: list(operationSchema),
  assertions: list(assertionSchema),
  declarations: list(declarationSchema),
  tests: list(unitTestSchema),
  projectConfig: z
    .looseObject({
      warehouse: z.string().optional(),
      defaultDatabase: z.string().optional(),
      defaultSchema: z.string().optional(),
      assertionSchema: z.string().optional(),
      defaultLocation: z.string().optional(),
      vars: z
        .record(z.string(), z.string())
        .optional()
        .transform((v) => v ?? {}),
    })
    .optional()
    .transform((v) => v ?? { vars: {} as Record<string, string> }),
  graphErrors: z
    .looseObject({ compilationErrors: list(compilationErrorSchema) })
    .optional()
    .transform((v) => v ?? { compilationErrors: [] }),
  dataformCoreVersion: z.string().optional(),
});
export type CompiledGraph = z.infer<typeof compiledGraphSchema>;

export { type ActionType, actionName, countActions, targetKey } from "./graph-info.ts";
