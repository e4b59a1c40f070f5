import { CfnOutput, Duration, Stack, Validations } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  HttpApi,
  HttpMethod,
  HttpRoute,
  HttpRouteKey,
  HttpStage,
  LogGroupLogDestination,
  PayloadFormatVersion,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { eventsStep, functionEnvironment, httpSteps, notFoundStep, platformSteps } from '../functions/routes.js';
import { StepFunction, pascalCase } from './step-function.js';
import { EnforcementReminders } from './enforcement-reminders.js';

/** The stateful resources the API stack's functions are granted access to. */
export interface TwoFactorApiStackProps extends StackProps {
  readonly table: ITable;
  readonly secretsKey: IKey;
  readonly eventBus: IEventBus;
}

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
  /** The platform functions by their `functionName` (`createApp`, ...). */
  readonly platformFunctions: ReadonlyMap<string, IFunction>;
  /** Publishes new audit entries from the table's stream as security events. */
  readonly eventPublisher: IFunction;

  constructor(scope: Construct, id: string, props: TwoFactorApiStackProps) {
    super(scope, id, props);
    const { table, secretsKey } = props;

    const notFound = new StepFunction(this, pascalCase(notFoundStep.step), {
      step: notFoundStep.step,
      access: notFoundStep.access,
      description: 'answers requests no route matches ($default route)',
      table,
      secretsKey,
    });

    this.httpApi = new HttpApi(this, 'HttpApi', {
      apiName: 'two-factor',
      description: 'Two-factor authentication service',
      // The default stage cannot take throttling or access logs; the stage below replaces it.
      createDefaultStage: false,
      defaultIntegration: lambdaIntegration(`${pascalCase(notFoundStep.step)}Integration`, notFound.function),
    });

    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: RetentionDays.ONE_MONTH });
    const stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      autoDeploy: true,
      throttle: stageThrottle,
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

    const httpFunctions = new Map<string, IFunction>([[notFoundStep.step, notFound.function]]);
    for (const { step, method, path, access } of httpSteps) {
      const id = pascalCase(step);
      const stepFunction = new StepFunction(this, id, {
        step,
        access,
        description: `${method} ${path}`,
        table,
        secretsKey,
      });
      const route = new HttpRoute(this, `${id}Route`, {
        httpApi: this.httpApi,
        routeKey: HttpRouteKey.with(path, HttpMethod[method]),
        integration: lambdaIntegration(`${id}Integration`, stepFunction.function),
      });
      Validations.of(route).acknowledge(bearerTokenAuthorization);
      httpFunctions.set(step, stepFunction.function);
    }
    this.httpFunctions = httpFunctions;

    const platformFunctions = new Map<string, IFunction>();
    for (const { step, functionName, access } of platformSteps) {
      const id = pascalCase(functionName);
      // No route on purpose: platform engineers invoke these with IAM (`aws lambda invoke`).
      const stepFunction = new StepFunction(this, id, {
        step,
        access,
        description: `platform function ${functionName}, invoked with IAM only`,
        table,
        secretsKey,
      });
      new CfnOutput(this, `${id}FunctionName`, {
        value: stepFunction.function.functionName,
        description: `Name of the ${functionName} platform function (aws lambda invoke)`,
      });
      platformFunctions.set(functionName, stepFunction.function);
    }
    this.platformFunctions = platformFunctions;

    this.eventPublisher = this.addEventPublisher(props);
    new EnforcementReminders(this, 'EnforcementReminders', { table, secretsKey });

    new CfnOutput(this, 'ApiUrl', { value: stage.url, description: 'Base URL of the HTTP API' });
    new CfnOutput(this, 'TableName', { value: table.tableName, description: 'The service table' });
    new CfnOutput(this, 'KmsKeyArn', { value: secretsKey.keyArn, description: 'Key protecting TOTP secrets' });

    // Covers the `$default` route, which the HttpApi creates as its child.
    Validations.of(this.httpApi).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason: 'The $default route only answers 404 not_found for paths no route matches; it reads and returns nothing.',
    });
  }

  /**
   * The event publisher: fed by the table's stream, filtered to new audit entries, reporting partial
   * batch failures so the stream retries from the first unpublished one; what still fails after the
   * retries is kept in an encrypted dead-letter queue for 14 days.
   */
  private addEventPublisher(props: TwoFactorApiStackProps): IFunction {
    const { table, secretsKey, eventBus } = props;
    const publisher = new StepFunction(this, pascalCase(eventsStep.step), {
      step: eventsStep.step,
      access: eventsStep.access,
      description: "publishes the table's new audit entries as security events",
      table,
      secretsKey,
      environment: { [functionEnvironment.eventBusName]: eventBus.eventBusName },
    });
    eventBus.grantPutEventsTo(publisher.function);
    // aws-cdk-lib types FilterRule.isEqual as `any`; the pattern it builds is `['INSERT']`.
    const inserts: unknown = FilterRule.isEqual('INSERT');
    const deadLetters = new Queue(this, 'UnpublishedEvents', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(deadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue of the event publisher; nothing consumes it automatically.',
    });
    publisher.function.addEventSource(
      new DynamoEventSource(table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        maxBatchingWindow: Duration.seconds(1),
        reportBatchItemFailures: true,
        retryAttempts: eventRetryAttempts,
        onFailure: new SqsDlq(deadLetters),
        filters: [
          FilterCriteria.filter({
            eventName: inserts,
            dynamodb: { NewImage: { pk: { S: FilterRule.beginsWith('AUDIT#') } } },
          }),
        ],
      }),
    );
    // The event source's stream grant: dynamodb:ListStreams has no resource-level permissions.
    Validations.of(publisher.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'dynamodb:ListStreams, which the stream event source needs, supports no resource-level permissions; the other stream actions are scoped to the table stream.',
    });
    new CfnOutput(this, 'EventBusName', {
      value: eventBus.eventBusName,
      description: 'Event bus of the security events (source two-factor)',
    });
    return publisher.function;
  }
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
