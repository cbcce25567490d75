import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { one, record } from "../../test/harness";
import { Budget, type BudgetArgs } from ".";

const base: BudgetArgs = {
  monthlyUsd: 40000,
  alertEmails: ["finops@example.com"],
  alertSnsTopicArns: [],
  costAllocationTag: { key: "stack", value: "llm-platform/prod" },
};

describe("Budget", () => {
  it("declares a monthly USD cost budget filtered to the stack's cost allocation tag", async () => {
    const { resources } = await record(() => { new Budget("b", base); });
    const budget = one(resources, "aws:budgets/budget:Budget", "b-monthly").inputs;
    assert.equal(budget.budgetType, "COST");
    assert.equal(budget.limitAmount, "40000.00");
    assert.equal(budget.limitUnit, "USD");
    assert.equal(budget.timeUnit, "MONTHLY");
    assert.deepEqual(budget.costFilters, [{ name: "TagKeyValue", values: ["user:stack$llm-platform/prod"] }]);
  });

  it("notifies at 80 % and 100 % of actual and 100 % of forecast spend, e-mail and SNS", async () => {
    const { resources } = await record(() => { new Budget("b", { ...base, alertSnsTopicArns: ["arn:aws:sns:us-east-1:111122223333:alerts"] }); });
    const notifications = one(resources, "aws:budgets/budget:Budget", "b-monthly").inputs.notifications as Record<string, unknown>[];
    assert.deepEqual(notifications.map((n) => [n.notificationType, n.threshold, n.thresholdType, n.comparisonOperator]), [
      ["ACTUAL", 80, "PERCENTAGE", "GREATER_THAN"],
      ["ACTUAL", 100, "PERCENTAGE", "GREATER_THAN"],
      ["FORECASTED", 100, "PERCENTAGE", "GREATER_THAN"],
    ]);
    for (const n of notifications) {
      assert.deepEqual(n.subscriberEmailAddresses, ["finops@example.com"]);
      assert.deepEqual(n.subscriberSnsTopicArns, ["arn:aws:sns:us-east-1:111122223333:alerts"]);
    }
  });

  it("rejects a non-positive limit and a list without e-mails", async () => {
    await assert.rejects(record(() => { new Budget("b", { ...base, monthlyUsd: 0, alertEmails: [] }); }), (err: Error) => {
      assert.match(err.message, /monthlyUsd: got 0/);
      assert.match(err.message, /alertEmails: got \[\]/);
      return true;
    });
  });
});
