import { Validations } from 'aws-cdk-lib';
import type { App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { TwoFactorApiStack } from './api-stack.js';
import { TwoFactorDataStack } from './data-stack.js';

/** The two stacks of the service, for `bin/app.ts` and the infra tests. */
export interface TwoFactorService {
  readonly data: TwoFactorDataStack;
  readonly api: TwoFactorApiStack;
}

/**
 * Adds the service to `app`: the stateful `TwoFactorData` stack, whose table and key are passed by
 * props to the stateless `TwoFactorApi` stack, and cdk-nag's AWS Solutions checks over both.
 *
 * The infra tests call this too, so they assert on exactly what `cdk synth` deploys.
 */
export function addTwoFactorService(app: App): TwoFactorService {
  const data = new TwoFactorDataStack(app, 'TwoFactorData', {
    description: 'Two-factor service: table and KMS key (stateful, retained)',
  });
  const api = new TwoFactorApiStack(app, 'TwoFactorApi', {
    description: 'Two-factor service: HTTP API and functions (stateless)',
    table: data.table,
    secretsKey: data.secretsKey,
    eventBus: data.eventBus,
  });

  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { data, api };
}
