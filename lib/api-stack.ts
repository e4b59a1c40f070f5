import { CfnOutput, Duration, Stack, Validations } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  DomainName,
  HttpApi,
  HttpMethod,
  HttpRoute,
  HttpRouteKey,
  HttpStage,
  LogGroupLogDestination,
  PayloadFormatVersion,
} from 'aws-cdk-lib/aws-apigatewayv2';
import type { CfnStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LambdaApplication, LambdaDeploymentConfig, LambdaDeploymentGroup } from 'aws-cdk-lib/aws-codedeploy';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { Alias, FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ILogGroup } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { eventsStep, functionEnvironment, httpSteps, notFoundStep, platformSteps } from '../functions/routes.js';
import type { StepAccess } from '../functions/routes.js';
import { dataRemovalPolicy } from './data-stack.js';
import { ServiceMonitoring } from './monitoring.js';
import type { StageConfig } from './stage.js';
import { stageLowerName } from './stage.js';
import { Notifier } from './notifier.js';
import { StepFunction, pascalCase } from './step-function.js';
import type { StepFunctionProps } from './step-function.js';
import { EnforcementReminders } from './enforcement-reminders.js';

/** The stateful resources the API stack's functions are granted access to. */
export interface TwoFactorApiStackProps extends StackProps {
  readonly stage: StageConfig;
  readonly table: ITable;
  readonly secretsKey: IKey;
  readonly eventBus: IEventBus;
  /** Where the event publisher keeps the events EventBridge refused, whole. */
  readonly unpublishedEvents: IQueue;
}

/** Name of the alias every HTTP function is published behind; the routes invoke it, CodeDeploy moves it. */
const liveAliasName = 'live';

/**
 * Stage-wide throttling: enough for interactive logins of many apps, low enough that a
 * credential-stuffing burst is cut off at the edge before it costs Lambda and DynamoDB capacity.
 */
const stageThrottle = { burstLimit: 200, rateLimit: 100 } as const;

/**
 * The stateless half of the service: the HTTP API, one function per step of
 * `functions/routes.ts`, and the platform functions that are invoked with IAM only.
 */
export class TwoFactorApiStack extends Stack {
  readonly httpApi: HttpApi;
  /** The HTTP step functions by step name, the `not-found` function included. */
  readonly httpFunctions: ReadonlyMap<string, IFunction>;
  /** The `live` alias of each HTTP step function, which its route invokes. */
  readonly liveAliases: ReadonlyMap<string, Alias>;
  /** The API Gateway custom domain CloudFront forwards to, when the stage has an edge front. */
  readonly originDomain?: DomainName;
  /** The stage's alarms and dashboard. */
  readonly monitoring: ServiceMonitoring;
  /** The platform functions by their `functionName` (`createApp`, ...). */
  readonly platformFunctions: ReadonlyMap<string, IFunction>;
  /** Publishes new audit entries from the table's stream as security events. */
  readonly eventPublisher: IFunction;
  /** The scheduled enrollment-deadline reminders. */
  readonly enforcementReminders: IFunction;

  constructor(scope: Construct, id: string, props: TwoFactorApiStackProps) {
    super(scope, id, props);
    const { stage, table, secretsKey } = props;
    const logRemovalPolicy = dataRemovalPolicy(stage);
    const stepFunctions = new Map<string, StepFunction>();
    const newStepFunction: NewStepFunction = (constructId, step, access, description, extra) => {
      const stepFunction = new StepFunction(this, constructId, {
        step,
        access,
        description,
        table,
        secretsKey,
        logRemovalPolicy,
        ...extra,
      });
      stepFunctions.set(step, stepFunction);
      return stepFunction;
    };

    const liveAliases = new Map<string, Alias>();
    const publishLive = (stepFunction: StepFunction, step: string): Alias => {
      const alias = new Alias(stepFunction, 'Live', { aliasName: liveAliasName, version: stepFunction.function.currentVersion });
      liveAliases.set(step, alias);
      return alias;
    };

    const notFound = newStepFunction(
      pascalCase(notFoundStep.step),
      notFoundStep.step,
      notFoundStep.access,
      'answers requests no route matches ($default route)',
    );

    // Behind a custom domain (CloudFront and WAF in front), clients cannot go around them through execute-api.
    this.httpApi = new HttpApi(this, 'HttpApi', {
      apiName: stageLowerName(stage, 'api'),
      description: `Two-factor authentication service (${stage.name})`,
      // The default stage cannot take throttling or access logs; the stage below replaces it.
      createDefaultStage: false,
      disableExecuteApiEndpoint: stage.edge !== undefined,
      defaultIntegration: lambdaIntegration(`${pascalCase(notFoundStep.step)}Integration`, publishLive(notFound, notFoundStep.step)),
    });

    if (stage.edge) {
      this.originDomain = new DomainName(this, 'OriginDomain', {
        domainName: stage.edge.domainName,
        certificate: Certificate.fromCertificateArn(this, 'OriginCertificate', stage.edge.regionalCertificateArn),
      });
    }

    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: RetentionDays.ONE_MONTH, removalPolicy: logRemovalPolicy });
    const apiStage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      autoDeploy: true,
      throttle: stageThrottle,
      // Per-route metrics (Method and Resource dimensions): the routes' 5xx and latency alarms read them.
      detailedMetricsEnabled: true,
      ...(this.originDomain && { domainMapping: { domainName: this.originDomain } }),
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        // No headers or bodies: they carry bearer tokens, passwords and codes.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            requestTime: '$context.requestTimeEpoch',
            sourceIp: '$context.identity.sourceIp',
            userAgent: '$context.identity.userAgent',
            routeKey: '$context.routeKey',
            path: '$context.path',
            status: '$context.status',
            responseLength: '$context.responseLength',
            responseLatency: '$context.responseLatency',
            integrationLatency: '$context.integrationLatency',
            integrationError: '$context.integrationErrorMessage',
            error: '$context.error.message',
          }),
        ),
      },
    });

    const routeSettings: Record<string, unknown> = {};
    const httpFunctions = new Map<string, IFunction>([[notFoundStep.step, notFound.function]]);
    for (const { step, method, path, access } of httpSteps) {
      const id = pascalCase(step);
      const stepFunction = newStepFunction(id, step, access, `${method} ${path}`, {
        reservedConcurrentExecutions: reservedConcurrencyOf(stage, step),
      });
      const route = new HttpRoute(this, `${id}Route`, {
        httpApi: this.httpApi,
        routeKey: HttpRouteKey.with(path, HttpMethod[method]),
        integration: lambdaIntegration(`${id}Integration`, publishLive(stepFunction, step)),
      });
      Validations.of(route).acknowledge(bearerTokenAuthorization);
      httpFunctions.set(step, stepFunction.function);
      const throttle = routeThrottleOf(stage, step);
      if (throttle) {
        routeSettings[`${method} ${path}`] = {
          ThrottlingRateLimit: throttle.rateLimit,
          ThrottlingBurstLimit: throttle.burstLimit,
          DetailedMetricsEnabled: true,
        };
        // A route setting names its route by key: the route must exist before the stage update.
        apiStage.node.addDependency(route);
      }
    }
    (apiStage.node.defaultChild as CfnStage).routeSettings = routeSettings;
    this.httpFunctions = httpFunctions;
    this.liveAliases = liveAliases;

    const platformFunctions = new Map<string, IFunction>();
    for (const { step, functionName, access } of platformSteps) {
      const id = pascalCase(functionName);
      // No route on purpose: platform engineers invoke these with IAM (`aws lambda invoke`).
      const stepFunction = newStepFunction(id, step, access, `platform function ${functionName}, invoked with IAM only`);
      new CfnOutput(this, `${id}FunctionName`, {
        value: stepFunction.function.functionName,
        description: `Name of the ${functionName} platform function (aws lambda invoke)`,
      });
      platformFunctions.set(functionName, stepFunction.function);
    }
    this.platformFunctions = platformFunctions;

    const { publisher, deadLetters } = this.addEventPublisher(props, newStepFunction);
    this.eventPublisher = publisher.function;
    new Notifier(this, 'SecurityEmails', { table, secretsKey, eventBus: props.eventBus, logRemovalPolicy });
    this.enforcementReminders = new EnforcementReminders(this, 'EnforcementReminders', { table, secretsKey, logRemovalPolicy }).function;

    const kmsLogGroups = new Map<string, ILogGroup>();
    for (const [step, stepFunction] of stepFunctions) {
      if (stepFunction.usesKms) kmsLogGroups.set(step, stepFunction.logGroup);
    }
    this.monitoring = new ServiceMonitoring(this, 'Monitoring', {
      stage,
      httpApi: this.httpApi,
      apiStageName: apiStage.stageName,
      routes: httpSteps,
      functions: new Map([...stepFunctions].map(([step, stepFunction]) => [step, stepFunction.function])),
      kmsLogGroups,
      table,
      eventPublisher: publisher.function,
      deadLetterQueue: deadLetters,
    });

    this.addDeployments(stage);

    new CfnOutput(this, 'ApiUrl', {
      value: stage.edge ? `https://${stage.edge.domainName}/` : apiStage.url,
      description: 'Base URL of the HTTP API',
    });
    new CfnOutput(this, 'TableName', { value: table.tableName, description: 'The service table' });
    new CfnOutput(this, 'KmsKeyArn', { value: secretsKey.keyArn, description: 'Key protecting TOTP secrets' });
    new CfnOutput(this, 'AlarmTopicArn', {
      value: this.monitoring.alarmTopic.topicArn,
      description: 'SNS topic every alarm notifies: subscribe the on-call to it',
    });

    // Covers the `$default` route, which the HttpApi creates as its child.
    Validations.of(this.httpApi).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason: 'The $default route only answers 404 not_found for paths no route matches; it reads and returns nothing.',
    });
  }

  /**
   * CodeDeploy shifts each HTTP function's `live` alias to the new version: a 10 % canary for five minutes on
   * protected stages, at once on dev, rolled back when its route's 5xx rate or its function's errors alarm.
   */
  private addDeployments(stage: StageConfig): void {
    const application = new LambdaApplication(this, 'Deployments');
    // One role for all groups: each group adds CodeDeploy's managed policy for Lambda to it.
    const role = new Role(this, 'DeploymentRole', {
      assumedBy: new ServicePrincipal('codedeploy.amazonaws.com'),
      description: `Shifts the two-factor service's live aliases (${stage.name})`,
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited]',
      reason:
        "CodeDeploy's own managed policy for Lambda deployments: it may only read and move function aliases and read alarms, what shifting traffic needs.",
    });
    const deploymentConfig =
      stage.deployment === 'canary' ? LambdaDeploymentConfig.CANARY_10PERCENT_5MINUTES : LambdaDeploymentConfig.ALL_AT_ONCE;
    for (const [step, alias] of this.liveAliases) {
      new LambdaDeploymentGroup(this, `${pascalCase(step)}Deployment`, {
        application,
        role,
        alias,
        deploymentConfig,
        alarms: this.monitoring.rollbackAlarms(step),
        autoRollback: { failedDeployment: true, stoppedDeployment: true, deploymentInAlarm: true },
      });
    }
  }

  /**
   * The event publisher: fed by the table's stream, filtered to new audit entries, reporting partial
   * batch failures so the stream retries from the first unpublished one. An event EventBridge still refuses
   * goes whole to the data stack's dead-letter queue (the publisher may only send to it); a batch the queue
   * refuses too is retried by the stream, and its pointers land in the same queue as a last resort.
   */
  private addEventPublisher(
    props: TwoFactorApiStackProps,
    newStepFunction: NewStepFunction,
  ): { publisher: StepFunction; deadLetters: IQueue } {
    const { table, eventBus, unpublishedEvents } = props;
    const publisher = newStepFunction(
      pascalCase(eventsStep.step),
      eventsStep.step,
      eventsStep.access,
      "publishes the table's new audit entries as security events",
      {
        environment: {
          [functionEnvironment.eventBusName]: eventBus.eventBusName,
          [functionEnvironment.deadLetterQueueUrl]: unpublishedEvents.queueUrl,
        },
      },
    );
    eventBus.grantPutEventsTo(publisher.function);
    unpublishedEvents.grant(publisher.role, 'sqs:SendMessage');
    // aws-cdk-lib types FilterRule.isEqual as `any`; the pattern it builds is `['INSERT']`.
    const inserts: unknown = FilterRule.isEqual('INSERT');
    publisher.function.addEventSource(
      new DynamoEventSource(table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        maxBatchingWindow: Duration.seconds(1),
        reportBatchItemFailures: true,
        retryAttempts: eventRetryAttempts,
        onFailure: new SqsDlq(unpublishedEvents),
        filters: [
          FilterCriteria.filter({
            eventName: inserts,
            dynamodb: { NewImage: { pk: { S: FilterRule.beginsWith('AUDIT#') } } },
          }),
        ],
      }),
    );
    // The event source's stream grant (dynamodb:ListStreams on `*`) is covered by StepFunction's acknowledgement.
    new CfnOutput(this, 'EventBusName', {
      value: eventBus.eventBusName,
      description: 'Event bus of the security events (source two-factor)',
    });
    return { publisher, deadLetters: unpublishedEvents };
  }
}

/** Builds one step's function with the stack's table, key and log removal policy, and records it for the alarms. */
type NewStepFunction = (
  constructId: string,
  step: string,
  access: StepAccess,
  description: string,
  extra?: Pick<StepFunctionProps, 'environment' | 'reservedConcurrentExecutions'>,
) => StepFunction;

/** The stage's reserved concurrency of `step`: login's ceiling and login/verify's floor; none elsewhere. */
function reservedConcurrencyOf(stage: StageConfig, step: string): number | undefined {
  if (step === 'login') return stage.loginReservedConcurrency;
  if (step === 'login-verify') return stage.loginVerifyReservedConcurrency;
  return undefined;
}

function routeThrottleOf(stage: StageConfig, step: string) {
  return step === 'signup' || step === 'login' || step === 'login-verify' ? stage.routeThrottles[step] : undefined;
}

/** How long the stream keeps retrying an event EventBridge refuses before it goes to the dead-letter queue. */
const eventRetryAttempts = 50;

/**
 * Why the routes have no API Gateway authorizer: the service's tokens are its own (opaque, stored
 * hashed in DynamoDB, scoped to one app, revocable at once on logout or 2FA reset), so each function
 * checks them against the table; signup, login and health must stay public anyway.
 */
const bearerTokenAuthorization = {
  id: 'AwsSolutions-APIG4',
  reason:
    "Callers authenticate with the service's own opaque bearer tokens (hashed in DynamoDB, app-scoped, revocable), verified by each function; signup, login and health are public by design.",
};

/** API Gateway payload format 2.0: the event shape the handlers are typed against. */
function lambdaIntegration(id: string, handler: IFunction): HttpLambdaIntegration {
  return new HttpLambdaIntegration(id, handler, { payloadFormatVersion: PayloadFormatVersion.VERSION_2_0 });
}
