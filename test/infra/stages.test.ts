/**
 * Specification of the stages: `-c stage=<name>` derives every physical name, so two stages deploy side by
 * side in one account; every stage but dev is protected and deploys by canary; a stage given a custom domain
 * gets CloudFront and AWS WAF in us-east-1 in front, and its execute-api endpoint is closed.
 *
 * The apps here skip bundling (`aws:cdk:bundling-stacks`): the function code is stacks.test.ts's subject.
 */
import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import type { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { httpSteps } from '../../functions/routes.js';
import { managedRuleGroups, signInPathPattern } from '../../lib/edge-stack.js';
import { stageFromContext } from '../../lib/stage.js';
import type { TwoFactorService } from '../../lib/two-factor-app.js';
import { addTwoFactorService } from '../../lib/two-factor-app.js';

const synthTimeoutMs = 240_000;

const prodContext = {
  stage: 'prod',
  region: 'eu-west-1',
  domainName: 'auth.example.com',
  certificateArn: 'arn:aws:acm:us-east-1:111111111111:certificate/11111111-1111-1111-1111-111111111111',
  regionalCertificateArn: 'arn:aws:acm:eu-west-1:111111111111:certificate/22222222-2222-2222-2222-222222222222',
};

function appWith(context: Record<string, unknown>): App {
  const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context: Record<string, unknown> };
  return new App({
    context: {
      ...cdkJson.context,
      'aws:cdk:bundling-stacks': [],
      '@aws-cdk/core:failSynthOnValidationErrors': false,
      ...context,
    },
  });
}

function stacksOf(service: TwoFactorService): Stack[] {
  return [service.data, service.api, ...(service.edge ? [service.edge] : [])];
}

/**
 * Every physical name a stage's templates set: stack names, export names and each resource's top-level
 * `…Name` string property, except those scoped inside another resource or not names of resources.
 */
function physicalNames(service: TwoFactorService): Set<string> {
  const scopedOrNotANameOfAResource = new Set([
    'MetricName', // an alarm's metric, not a resource
    'AWS::Lambda::Alias.Name', // `live`, scoped to its function
    'AWS::ApiGatewayV2::Stage.StageName', // `$default`, scoped to its API
    'AWS::CodeDeploy::DeploymentGroup.DeploymentConfigName', // AWS's predefined configuration
    'AWS::IAM::Policy.PolicyName', // an inline policy's name, scoped to its role
  ]);
  const names = new Set<string>();
  for (const stack of stacksOf(service)) {
    names.add(stack.stackName);
    const template = Template.fromStack(stack).toJSON() as {
      Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
      Outputs?: Record<string, { Export?: { Name: unknown } }>;
    };
    for (const { Type, Properties } of Object.values(template.Resources)) {
      for (const [key, value] of Object.entries(Properties ?? {})) {
        if (!key.endsWith('Name') || typeof value !== 'string') continue;
        if (scopedOrNotANameOfAResource.has(key) || scopedOrNotANameOfAResource.has(`${Type}.${key}`)) continue;
        names.add(`${Type}.${key}=${value}`);
      }
    }
    for (const output of Object.values(template.Outputs ?? {})) {
      if (typeof output.Export?.Name === 'string') names.add(`export=${output.Export.Name}`);
    }
  }
  return names;
}

let dev: TwoFactorService;
let prod: TwoFactorService;
let devApp: App;
let prodApp: App;

beforeAll(() => {
  devApp = appWith({});
  dev = addTwoFactorService(devApp);
  prodApp = appWith(prodContext);
  prod = addTwoFactorService(prodApp);
}, synthTimeoutMs);

describe('stage names', () => {
  it('defaults to dev and names the stacks after the stage', () => {
    expect(stacksOf(dev).map((stack) => stack.stackName)).toEqual(['TwoFactor-dev-Data', 'TwoFactor-dev-Api']);
    expect(stacksOf(prod).map((stack) => stack.stackName)).toEqual(['TwoFactor-prod-Data', 'TwoFactor-prod-Api', 'TwoFactor-prod-Edge']);
  });

  it('shares no physical name between dev and prod', () => {
    const devNames = physicalNames(dev);
    const prodNames = physicalNames(prod);
    // The names a clash was seen on before stages: the bus, the key alias, the API, and the new alarms and dashboard.
    for (const expected of [
      'AWS::Events::EventBus.Name=two-factor-dev-security-events',
      'AWS::KMS::Alias.AliasName=alias/two-factor-dev-secrets',
      'AWS::ApiGatewayV2::Api.Name=two-factor-dev-api',
      'AWS::CloudWatch::Dashboard.DashboardName=TwoFactor-dev',
      'AWS::CloudWatch::Alarm.AlarmName=TwoFactor-dev-Security-Lockouts-Warning',
    ]) {
      expect(devNames).toContain(expected);
    }
    expect(prodNames).toContain('AWS::WAFv2::WebACL.Name=two-factor-prod-edge');
    expect(prodNames).toContain('AWS::Logs::LogGroup.LogGroupName=aws-waf-logs-two-factor-prod-edge');
    expect([...devNames].filter((name) => prodNames.has(name))).toEqual([]);
  });

  it('rejects a stage name that cannot be part of resource names', () => {
    expect(() => addTwoFactorService(appWith({}), { stage: 'Prod_1' })).toThrow(/lower-case/);
  });

  it('rejects an edge front without a us-east-1 certificate or without the stage region', () => {
    const { certificateArn, domainName } = prodContext;
    expect(() =>
      addTwoFactorService(appWith({ stage: 'qa', domainName, certificateArn: certificateArn.replace('us-east-1', 'eu-west-1') })),
    ).toThrow(/us-east-1/);
    expect(() => addTwoFactorService(appWith({ stage: 'qa', domainName, certificateArn }))).toThrow(/region/);
  });
});

describe('what a protected stage (prod) gets', () => {
  const prodTemplate = (which: 'data' | 'api') => Template.fromStack(prod[which]);
  const functionOf = (step: string) => {
    const fn = prod.api.httpFunctions.get(step)!;
    return prodTemplate('api').toJSON().Resources[prod.api.getLogicalId(fn.node.defaultChild as CfnFunction)].Properties;
  };

  it('turns on termination protection on every stack, and dev on none', () => {
    for (const stack of stacksOf(prod)) expect(stack.terminationProtection).toBe(true);
    for (const stack of stacksOf(dev)) expect(stack.terminationProtection).toBe(false);
  });

  it('retains the table (with deletion protection and point-in-time recovery) and the secrets key', () => {
    prodTemplate('data').hasResource('AWS::DynamoDB::Table', {
      Properties: Match.objectLike({
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
      }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    prodTemplate('data').hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    // The security events EventBridge refused, kept whole until they are redriven.
    prodTemplate('data').hasResource('AWS::SQS::Queue', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  it('retains every log group (function logs, access logs, WAF logs)', () => {
    for (const stack of stacksOf(prod)) {
      for (const logGroup of Object.values(Template.fromStack(stack).findResources('AWS::Logs::LogGroup'))) {
        expect(logGroup.DeletionPolicy).toBe('Retain');
      }
    }
    expect(Object.keys(prodTemplate('api').findResources('AWS::Logs::LogGroup')).length).toBeGreaterThan(httpSteps.length);
  });

  it('deploys every HTTP function by a 10 % canary for five minutes', () => {
    const groups = Object.values(prodTemplate('api').findResources('AWS::CodeDeploy::DeploymentGroup'));
    expect(groups).toHaveLength(httpSteps.length + 1);
    for (const group of groups) expect(group.Properties.DeploymentConfigName).toBe('CodeDeployDefault.LambdaCanary10Percent5Minutes');
  });

  it('reserves concurrency for login (its ceiling) and login/verify (its floor), leaving the account 850 of 1,000', () => {
    expect(functionOf('login').ReservedConcurrentExecutions).toBe(100);
    expect(functionOf('login-verify').ReservedConcurrentExecutions).toBe(50);
    const reserved = [...prod.api.httpFunctions.keys()]
      .map((step) => (functionOf(step).ReservedConcurrentExecutions as number | undefined) ?? 0)
      .reduce((sum, value) => sum + value, 0);
    // Lambda keeps at least 100 of the default quota of 1,000 unreserved.
    expect(1000 - reserved).toBeGreaterThanOrEqual(100);
  });

  it('takes reserved concurrency from the context, or from cdk.json stageSettings', () => {
    const fromFlags = stageFromContext(
      appWith({ stage: 'staging', loginReservedConcurrency: '20', loginVerifyReservedConcurrency: '10' }).node,
    );
    expect(fromFlags).toMatchObject({
      name: 'staging',
      protectData: true,
      loginReservedConcurrency: 20,
      loginVerifyReservedConcurrency: 10,
    });
    const fromSettings = stageFromContext(appWith({ stage: 'staging', stageSettings: { staging: { loginReservedConcurrency: 30 } } }).node);
    expect(fromSettings.loginReservedConcurrency).toBe(30);
    expect(() => stageFromContext(appWith({ loginReservedConcurrency: 'many' }).node)).toThrow(/positive integer/);
  });

  it('tags every stack, and every resource that lists tags, with the service and the stage', () => {
    for (const stack of stacksOf(prod)) {
      expect(stack.tags.tagValues()).toEqual({ service: 'two-factor', stage: 'prod' });
      const resources = Object.values(Template.fromStack(stack).toJSON().Resources as Record<string, { Properties?: { Tags?: unknown } }>);
      for (const { Properties } of resources) {
        if (Array.isArray(Properties?.Tags)) {
          expect(Properties.Tags).toEqual(
            expect.arrayContaining([
              { Key: 'service', Value: 'two-factor' },
              { Key: 'stage', Value: 'prod' },
            ]),
          );
        }
      }
    }
  });
});

describe('the edge front (a stage with a custom domain)', () => {
  const edge = () => Template.fromStack(prod.edge!);

  it('deploys CloudFront and WAF in us-east-1, the rest in the stage region', () => {
    expect(prod.edge!.region).toBe('us-east-1');
    expect(prod.api.region).toBe('eu-west-1');
    expect(dev.edge).toBeUndefined();
  });

  it('closes the execute-api endpoint and maps the API to its custom domain', () => {
    const api = Template.fromStack(prod.api);
    api.hasResourceProperties('AWS::ApiGatewayV2::Api', { DisableExecuteApiEndpoint: true });
    api.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
      DomainName: prodContext.domainName,
      DomainNameConfigurations: [Match.objectLike({ CertificateArn: prodContext.regionalCertificateArn })],
    });
    api.resourceCountIs('AWS::ApiGatewayV2::ApiMapping', 1);
    api.hasOutput('ApiUrl', { Value: `https://${prodContext.domainName}/` });
    Template.fromStack(dev.api).hasResourceProperties('AWS::ApiGatewayV2::Api', { DisableExecuteApiEndpoint: false });
  });

  it("serves the custom domain from CloudFront, uncached, forwarding to the API's regional domain read across Regions", () => {
    edge().hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        Aliases: [prodContext.domainName],
        ViewerCertificate: Match.objectLike({ AcmCertificateArn: prodContext.certificateArn, MinimumProtocolVersion: 'TLSv1.2_2021' }),
        WebACLId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^WebAcl'), 'Arn'] },
        Origins: [
          Match.objectLike({
            DomainName: { 'Fn::GetStackOutput': Match.objectLike({ StackName: 'TwoFactor-prod-Api', Region: 'eu-west-1' }) },
            CustomOriginConfig: Match.objectLike({ OriginProtocolPolicy: 'https-only' }),
          }),
        ],
        DefaultCacheBehavior: Match.objectLike({
          ViewerProtocolPolicy: 'https-only',
          // AWS's managed CachingDisabled policy.
          CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad',
        }),
      }),
    });
  });

  it('blocks an IP that sends more than 100 sign-in requests a minute', () => {
    const [rule] = edge().toJSON().Resources.WebAcl.Properties.Rules;
    expect(rule).toMatchObject({
      Action: { Block: {} },
      Statement: {
        RateBasedStatement: {
          Limit: 100,
          EvaluationWindowSec: 60,
          AggregateKeyType: 'IP',
          ScopeDownStatement: { RegexMatchStatement: { RegexString: signInPathPattern, FieldToMatch: { UriPath: {} } } },
        },
      },
    });
    const signIn = new RegExp(signInPathPattern);
    for (const path of ['/v1/apps/app_1/signup', '/v1/apps/app_1/login', '/v1/apps/app_1/login/verify'])
      expect(signIn.test(path)).toBe(true);
    for (const path of ['/v1/apps/app_1/me', '/v1/health', '/v1/apps/app_1/login/verify/x']) expect(signIn.test(path)).toBe(false);
  });

  it('runs the AWS managed common, known-bad-inputs and IP reputation rule groups, and logs without the Authorization header', () => {
    const acl = edge().toJSON().Resources.WebAcl.Properties;
    expect(acl.Scope).toBe('CLOUDFRONT');
    expect(acl.Rules.slice(1).map((rule: any) => rule.Statement.ManagedRuleGroupStatement)).toEqual(
      managedRuleGroups.map((name) => ({ VendorName: 'AWS', Name: name })),
    );
    expect(managedRuleGroups).toEqual([
      'AWSManagedRulesCommonRuleSet',
      'AWSManagedRulesKnownBadInputsRuleSet',
      'AWSManagedRulesAmazonIpReputationList',
    ]);
    edge().hasResourceProperties('AWS::WAFv2::LoggingConfiguration', { RedactedFields: [{ SingleHeader: { Name: 'authorization' } }] });
  });
});

describe('cdk-nag over the protected stage with its edge front', () => {
  it.each([
    ['AWS Solutions', () => new AwsSolutionsChecks()],
    ['Serverless', () => new ServerlessChecks()],
  ])('%s: report no finding that is not acknowledged with a reason', (_pack, checks) => {
    const report = checks().validateScope(prodApp);
    expect(
      report.violations.map(
        (violation) => `${violation.ruleName} at ${violation.violatingResources.map((r) => r.constructPath).join(', ')}`,
      ),
    ).toEqual([]);
  });
});
