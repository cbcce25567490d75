import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { validateArgs } from "../../lib/validate";

/** A plain list is checked here; a secret Output was checked by the stack schema before it was wrapped. */
const listOr = (item: z.ZodType, min: number) => z.union([z.array(item).min(min), z.custom<pulumi.Output<string[]>>((v) => pulumi.Output.isInstance(v))]);

const argsSchema = z.looseObject({
  monthlyUsd: z.number().positive(),
  alertEmails: listOr(z.email(), 1),
  alertSnsTopicArns: listOr(z.string().startsWith("arn:"), 0),
  costAllocationTag: z.strictObject({ key: z.string().min(1), value: z.string().min(1) }),
});

/** Arguments of {@link Budget}. */
export interface BudgetArgs {
  /** Monthly limit in US dollars; the budget policy checks the cost estimate against it. */
  monthlyUsd: number;
  /** Notified at 80 % and 100 % of actual and at 100 % of forecast spend; a secret Output stays one. */
  alertEmails: pulumi.Input<string[]>;
  /** SNS topics notified alongside the e-mails. @default [] */
  alertSnsTopicArns: pulumi.Input<string[]>;
  /**
   * The cost allocation tag that identifies this stack's spend. It must be activated as a cost
   * allocation tag in the billing console, or the budget sees nothing.
   */
  costAllocationTag: { key: string; value: string };
}

/** The notifications every budget carries: early warning, breach, and forecast breach. */
export const BUDGET_NOTIFICATIONS = [
  { notificationType: "ACTUAL", threshold: 80 },
  { notificationType: "ACTUAL", threshold: 100 },
  { notificationType: "FORECASTED", threshold: 100 },
] as const;

/**
 * The environment's monthly AWS Budget, filtered to the stack's cost allocation tag. It is the one
 * place the budget number lives: the cost-stack-budget policy reads its `limitAmount`.
 */
export class Budget extends pulumi.ComponentResource {
  public readonly budgetName: pulumi.Output<string>;

  constructor(name: string, args: BudgetArgs, opts?: pulumi.ComponentResourceOptions) {
    super("llm-platform:cost:Budget", name, {}, opts);
    const a = validateArgs("Budget", argsSchema, args);
    const budget = new aws.budgets.Budget(`${name}-monthly`, {
      budgetType: "COST",
      limitAmount: a.monthlyUsd.toFixed(2),
      limitUnit: "USD",
      timeUnit: "MONTHLY",
      costFilters: [{ name: "TagKeyValue", values: [`user:${a.costAllocationTag.key}$${a.costAllocationTag.value}`] }],
      notifications: pulumi.all([a.alertEmails, a.alertSnsTopicArns]).apply(([emails, topics]) => BUDGET_NOTIFICATIONS.map((n) => ({
        comparisonOperator: "GREATER_THAN",
        notificationType: n.notificationType,
        threshold: n.threshold,
        thresholdType: "PERCENTAGE",
        subscriberEmailAddresses: emails,
        ...(topics.length > 0 ? { subscriberSnsTopicArns: topics } : {}),
      }))),
    }, { parent: this });
    this.budgetName = budget.name;
    this.registerOutputs({ budgetName: this.budgetName });
  }
}
