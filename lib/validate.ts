import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import { formatProblems, problemsFromZod } from "./problems";

/**
 * Parses a component's args with its schema. Every problem is reported at once in one
 * InputPropertiesError (the engine prints it without a stack trace) before any child exists.
 */
export function validateArgs<T>(component: string, schema: z.ZodType, args: T): T {
  const result = schema.safeParse(args);
  if (result.success) return args;
  const problems = problemsFromZod(result.error, args, schema, new Set(), `the ${component} args`);
  throw new pulumi.InputPropertiesError({
    message: formatProblems(component, problems),
    errors: problems.map((p) => ({ propertyPath: p.path, reason: `got ${p.value}; allowed: ${p.allowed}; fix: ${p.fix}` })),
  });
}

/**
 * A secret arg as validation sees it: "[secret]" when it holds anything, else as it is (so a
 * missing or empty secret is still reported), never its text.
 */
export function redacted(value: unknown): unknown {
  return value === undefined || value === null || value === "" ? value : "[secret]";
}
