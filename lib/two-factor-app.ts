import { Tags, Validations } from 'aws-cdk-lib';
import type { App } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { TwoFactorApiStack } from './api-stack.js';
import { TwoFactorDataStack } from './data-stack.js';
import { TwoFactorEdgeStack } from './edge-stack.js';
import type { StageConfig } from './stage.js';
import { edgeRegion, stageFromContext, stageResourceName } from './stage.js';

/** The stacks of one stage of the service, for `bin/app.ts` and the infra tests. */
export interface TwoFactorService {
  readonly stage: StageConfig;
  readonly data: TwoFactorDataStack;
  readonly api: TwoFactorApiStack;
  /** CloudFront and WAF in us-east-1, when the stage has a custom domain. */
  readonly edge?: TwoFactorEdgeStack;
}

export interface TwoFactorServiceOptions {
  /** The stage to build; default: from the context (`-c stage=<name>`, then `dev`). */
  readonly stage?: string | StageConfig;
}

/** The tags every resource of the service carries (cost allocation, ownership, which stage). */
const serviceTagKey = 'service';
const stageTagKey = 'stage';

/**
 * Adds one stage of the service to `app`: the stateful `TwoFactor-<stage>-Data` stack, whose table and key
 * are passed by props to the stateless `TwoFactor-<stage>-Api` stack, the optional `TwoFactor-<stage>-Edge`
 * stack (CloudFront and WAF, in us-east-1), tags on everything, and cdk-nag's AWS Solutions and Serverless
 * checks over all of them.
 *
 * The infra tests call this too, so they assert on exactly what `cdk synth` deploys.
 */
export function addTwoFactorService(app: App, options: TwoFactorServiceOptions = {}): TwoFactorService {
  const stage = typeof options.stage === 'object' ? options.stage : stageFromContext(app.node, options.stage);
  const env = stage.region ? { region: stage.region } : undefined;
  // Stack tags reach every resource CloudFormation can tag; Tags.of below also writes them into the templates.
  const tags = { [serviceTagKey]: 'two-factor', [stageTagKey]: stage.name };
  const common = { env, terminationProtection: stage.protectData, tags };

  const data = new TwoFactorDataStack(app, stageResourceName(stage, 'Data'), {
    ...common,
    stage,
    description: `Two-factor service (${stage.name}): table and KMS key (stateful${stage.protectData ? ', retained' : ''})`,
  });
  const api = new TwoFactorApiStack(app, stageResourceName(stage, 'Api'), {
    ...common,
    stage,
    description: `Two-factor service (${stage.name}): HTTP API, functions, alarms and dashboard (stateless)`,
    table: data.table,
    secretsKey: data.secretsKey,
    eventBus: data.eventBus,
    unpublishedEvents: data.unpublishedEvents,
  });
  const edge =
    stage.edge && api.originDomain
      ? new TwoFactorEdgeStack(app, stageResourceName(stage, 'Edge'), {
          ...common,
          env: { region: edgeRegion },
          stage,
          edge: stage.edge,
          originDomainName: api.originDomain.regionalDomainName,
          description: `Two-factor service (${stage.name}): CloudFront and AWS WAF in front of ${stage.edge.domainName}`,
        })
      : undefined;
  edge?.addStackDependency(api);

  for (const stack of [data, api, edge]) {
    if (!stack) continue;
    for (const [key, value] of Object.entries(tags)) Tags.of(stack).add(key, value);
  }

  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }), new ServerlessChecks(app, { verbose: true }));
  return { stage, data, api, ...(edge && { edge }) };
}
