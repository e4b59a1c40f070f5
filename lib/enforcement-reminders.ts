import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type { RemovalPolicy } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
// The function cdk-nag itself uses to name a resource in a finding, so the acknowledgement matches.
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import { Construct } from 'constructs';
import { enforcementRemindersStep } from '../functions/routes.js';
import { StepFunction, pascalCase } from './step-function.js';

export interface EnforcementRemindersProps {
  readonly table: ITable;
  readonly secretsKey: IKey;
  /** What deleting the stack does to the function's logs: RETAIN on protected stages. */
  readonly logRemovalPolicy: RemovalPolicy;
}

/** How often the reminders run: every one-day reminder window (see the use case) meets at least one run. */
const reminderRunInterval = Duration.hours(12);

/** How long one run may take; it stops 2 s before (the handler's safety margin) and the next run goes on. */
const reminderRunTimeout = Duration.minutes(5);

/**
 * The enrollment-deadline reminders: the `enforcement-reminders` function (table read/write, no key), run by
 * an EventBridge Scheduler schedule every 12 hours. What it records goes out through the table's stream and
 * the event publisher, like every other security event.
 */
export class EnforcementReminders extends Construct {
  readonly function: IFunction;

  constructor(scope: Construct, id: string, props: EnforcementRemindersProps) {
    super(scope, id);
    const reminders = new StepFunction(this, pascalCase(enforcementRemindersStep.step), {
      step: enforcementRemindersStep.step,
      access: enforcementRemindersStep.access,
      description: 'records enrollment-deadline reminders (7 days and 1 day before), every 12 hours',
      table: props.table,
      secretsKey: props.secretsKey,
      logRemovalPolicy: props.logRemovalPolicy,
      // A batch, not a request: a publish that gives thousands of users one deadline makes them due in one run.
      timeout: reminderRunTimeout,
    });
    this.function = reminders.function;
    new Schedule(this, 'Schedule', {
      schedule: ScheduleExpression.rate(reminderRunInterval),
      target: new LambdaInvoke(reminders.function, { retryAttempts: 2, maxEventAge: Duration.hours(1) }),
      description: 'Enrollment-deadline reminders of the two-factor service',
    });
    // The scheduler's role (one per stack, made by LambdaInvoke) may invoke this function and its versions.
    const functionArn = flattenCfnReference(Stack.of(this).resolve(reminders.function.functionArn));
    Validations.of(Stack.of(this)).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${functionArn}:*]`,
      reason:
        "lambda:InvokeFunction on the reminders function's versions and aliases (grantInvoke's `:*`), for EventBridge Scheduler only.",
    });
  }
}
