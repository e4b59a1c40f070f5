import { CfnOutput, ReferenceStrength, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  OriginSslPolicy,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CfnLoggingConfiguration, CfnWebACL } from 'aws-cdk-lib/aws-wafv2';
import type { Construct } from 'constructs';
import type { EdgeSettings, StageConfig } from './stage.js';
import { stageLowerName, stageResourceName } from './stage.js';

export interface TwoFactorEdgeStackProps extends StackProps {
  readonly stage: StageConfig;
  readonly edge: EdgeSettings;
  /** The API Gateway custom domain's regional endpoint (`d-….execute-api.<region>.amazonaws.com`). */
  readonly originDomainName: string;
}

/**
 * Requests one IP may send to the sign-in routes (signup, login, login/verify) in a minute before WAF blocks
 * it: a person signs in with a handful; a password sprayer with thousands.
 */
const signInRequestsPerIpPerMinute = 100;

/** The sign-in routes the rate-based rule counts, as a regular expression over the URI path. */
export const signInPathPattern = '^/v1/apps/[^/]+/(signup|login|login/verify)$';

/** AWS managed rule groups in front of every route: OWASP-style common rules, known bad inputs, IP reputation. */
export const managedRuleGroups = [
  'AWSManagedRulesCommonRuleSet',
  'AWSManagedRulesKnownBadInputsRuleSet',
  'AWSManagedRulesAmazonIpReputationList',
];

/**
 * The edge front of a stage: a CloudFront distribution under the stage's custom domain, guarded by an AWS WAF
 * web ACL. Both must live in us-east-1 (CloudFront's certificates and web ACLs), so this stack does, and reads
 * the API's regional custom domain from the stage's region with `Fn::GetStackOutput` (a weak reference: no
 * custom resource, no export lock between the Regions).
 */
export class TwoFactorEdgeStack extends Stack {
  readonly distribution: Distribution;
  readonly webAcl: CfnWebACL;

  constructor(scope: Construct, id: string, props: TwoFactorEdgeStackProps) {
    super(scope, id, props);
    const { stage, edge } = props;
    const webAclName = stageLowerName(stage, 'edge');

    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      name: webAclName,
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      visibilityConfig: visibility(webAclName),
      rules: [
        {
          name: 'SignInRatePerIp',
          priority: 0,
          action: { block: {} },
          statement: {
            rateBasedStatement: {
              limit: signInRequestsPerIpPerMinute,
              evaluationWindowSec: 60,
              aggregateKeyType: 'IP',
              scopeDownStatement: {
                regexMatchStatement: {
                  regexString: signInPathPattern,
                  fieldToMatch: { uriPath: {} },
                  textTransformations: [{ priority: 0, type: 'NONE' }],
                },
              },
            },
          },
          visibilityConfig: visibility(`${webAclName}-sign-in-rate`),
        },
        ...managedRuleGroups.map((name, index) => ({
          name,
          priority: index + 1,
          overrideAction: { none: {} },
          statement: { managedRuleGroupStatement: { vendorName: 'AWS', name } },
          visibilityConfig: visibility(`${webAclName}-${name}`),
        })),
      ],
    });

    // WAF's log group name must start with aws-waf-logs-. No bodies are logged; the bearer token header is redacted.
    const wafLogs = new LogGroup(this, 'WafLogs', {
      logGroupName: `aws-waf-logs-${webAclName}`,
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: stage.protectData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    new CfnLoggingConfiguration(this, 'WafLogging', {
      resourceArn: this.webAcl.attrArn,
      logDestinationConfigs: [wafLogs.logGroupArn],
      redactedFields: [{ singleHeader: { Name: 'authorization' } }],
    });

    this.distribution = new Distribution(this, 'Distribution', {
      comment: `${stageResourceName(stage)}: ${edge.domainName}`,
      domainNames: [edge.domainName],
      certificate: Certificate.fromCertificateArn(this, 'Certificate', edge.certificateArn),
      minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
      httpVersion: HttpVersion.HTTP2_AND_3,
      webAclId: this.webAcl.attrArn,
      defaultBehavior: {
        origin: new HttpOrigin(Stack.consumeReference(props.originDomainName, ReferenceStrength.WEAK), {
          protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
          originSslProtocols: [OriginSslPolicy.TLS_V1_2],
        }),
        viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: AllowedMethods.ALLOW_ALL,
        // Every answer is per user and per token: nothing is cached.
        cachePolicy: CachePolicy.CACHING_DISABLED,
        // The viewer's Host (the custom domain) selects the API's custom domain at the origin; Authorization,
        // Origin and the query string pass through.
        originRequestPolicy: OriginRequestPolicy.ALL_VIEWER,
      },
    });
    Validations.of(this.distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR1',
        reason: 'The service is sold to portals worldwide; no country is blocked by default.',
      },
      {
        id: 'AwsSolutions-CFR3',
        reason:
          'Every request is logged by WAF (client IP, URI, rule matched; Authorization redacted) to the aws-waf-logs- log group, and by the API stage access log.',
      },
    );

    new CfnOutput(this, 'DistributionDomainName', {
      value: this.distribution.distributionDomainName,
      description: `Point ${edge.domainName} here (CNAME, or a Route 53 alias record)`,
    });
    new CfnOutput(this, 'EdgeUrl', { value: `https://${edge.domainName}/`, description: 'Base URL of the API behind CloudFront and WAF' });
  }
}

function visibility(metricName: string): CfnWebACL.VisibilityConfigProperty {
  return { cloudWatchMetricsEnabled: true, metricName, sampledRequestsEnabled: true };
}
