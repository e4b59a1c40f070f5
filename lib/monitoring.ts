import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { ComparisonOperator, Metric } from 'aws-cdk-lib/aws-cloudwatch';
import type { IAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { FilterPattern } from 'aws-cdk-lib/aws-logs';
import type { ILogGroup } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { DefaultDashboardFactory, MonitoringFacade, SnsAlarmActionStrategy } from 'cdk-monitoring-constructs';
import type { AlarmWithAnnotation } from 'cdk-monitoring-constructs';
import { Construct } from 'constructs';
import type { StageConfig } from './stage.js';
import { stageResourceName } from './stage.js';

/** Namespace and dimension of the service's own metrics: the handlers' EMF metrics and the KMS error filter. */
const serviceMetrics = {
  namespace: 'TwoFactor',
  dimensions: { service: 'two-factor' },
  kmsErrors: 'KmsErrors',
} as const;

/** The thresholds every alarm below uses; docs/OPERATIONS.md says what to do when each fires. */
const alarmThresholds = {
  /** Share of a route's requests answered 5xx (API Gateway's 5xx metric, average per minute). */
  route5xxRate: 0.05,
  /** A route's p99 latency: well above a warm sign-in (an Argon2id hash, ~0.1 s), below a dependency timing out (~6 s). */
  routeLatencyP99: Duration.seconds(3),
  /** Function errors (unhandled exceptions, timeouts) or throttles in a minute. */
  functionErrors: 0,
  functionThrottles: 0,
  /** DynamoDB read or write throttle events, and system errors, in a minute. */
  tableThrottledEvents: 0,
  tableSystemErrors: 0,
  /** KMS errors the functions logged in a minute. */
  kmsErrors: 0,
  /** How far the event publisher is behind the table's stream. */
  streamIteratorAge: Duration.minutes(5),
  /** Security events the publisher gave up on. */
  deadLetters: 0,
  /** Lockouts (password and second factor, all apps) in five minutes: more is an attack, not forgetful users. */
  lockoutsPerFiveMinutes: 50,
} as const;

/** One HTTP route of the service, with the function (alias) that serves it. */
interface MonitoredRoute {
  readonly step: string;
  readonly method: string;
  readonly path: string;
}

export interface ServiceMonitoringProps {
  readonly stage: StageConfig;
  readonly httpApi: IHttpApi;
  /** The API stage's name (`$default`), a metric dimension. */
  readonly apiStageName: string;
  readonly routes: readonly MonitoredRoute[];
  /** Every function of the service by step, the event publisher included. */
  readonly functions: ReadonlyMap<string, IFunction>;
  /** The log groups of the functions that call KMS, where the KMS error filter runs. */
  readonly kmsLogGroups: ReadonlyMap<string, ILogGroup>;
  readonly table: ITable;
  readonly eventPublisher: IFunction;
  readonly deadLetterQueue: IQueue;
}

/** The routes and functions of the sign-in path: on the dashboard in full; every other one is alarmed only. */
const signInSteps = new Set(['signup', 'login', 'login-verify']);

/**
 * Alarms and the dashboard of a stage, built with cdk-monitoring-constructs: per route 5xx rate and p99
 * latency, per function errors and throttles, the table's throttles and system errors, KMS errors (a metric
 * filter on the functions' logs), the stream's iterator age, the dead-letter queue's depth and lockout
 * spikes. Every alarm notifies one encrypted SNS topic; the dashboard opens with the sign-in funnel.
 */
export class ServiceMonitoring extends Construct {
  /** Where every alarm goes: subscribe the on-call's email, chat or pager to it. */
  readonly alarmTopic: Topic;
  private readonly alarmsByStep = new Map<string, IAlarm[]>();

  constructor(scope: Construct, id: string, props: ServiceMonitoringProps) {
    super(scope, id);
    const { stage } = props;

    // CloudWatch can publish to an encrypted topic only under a customer managed key that lets it use the key.
    const topicKey = new Key(this, 'AlarmTopicKey', {
      description: `Encrypts the alarm notifications of the two-factor service (${stage.name})`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    topicKey.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.alarmTopic = new Topic(this, 'AlarmTopic', {
      displayName: `Two-factor service alarms (${stage.name})`,
      masterKey: topicKey,
      enforceSSL: true,
    });
    if (stage.alarmEmail) this.alarmTopic.addSubscription(new EmailSubscription(stage.alarmEmail));

    const namePrefix = stageResourceName(stage);
    const facade = new MonitoringFacade(this, 'Facade', {
      alarmFactoryDefaults: {
        alarmNamePrefix: namePrefix,
        actionsEnabled: true,
        action: new SnsAlarmActionStrategy({ onAlarmTopic: this.alarmTopic }),
        // Three bad minutes out of five: one cold start or one retried request pages no one.
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
        documentationLink: 'docs/OPERATIONS.md#alarms',
      },
      // One-minute datapoints: a canary lasts five minutes, and its rollback alarms must fire within it.
      metricFactoryDefaults: { period: Duration.minutes(1) },
      dashboardFactory: new DefaultDashboardFactory(this, 'Dashboards', {
        dashboardNamePrefix: namePrefix,
        createDashboard: true,
        createSummaryDashboard: false,
        createAlarmDashboard: false,
      }),
    });

    this.addFunnel(facade, props);

    for (const { step, method, path } of props.routes) {
      facade.monitorApiGatewayV2HttpApi({
        api: props.httpApi,
        apiStage: props.apiStageName,
        apiMethod: method,
        apiResource: path,
        alarmFriendlyName: `Route-${step}`,
        humanReadableName: `${method} ${path}`,
        add5xxRateAlarm: { Critical: { maxErrorRate: alarmThresholds.route5xxRate } },
        addLatencyP99Alarm: { Warning: { maxLatency: alarmThresholds.routeLatencyP99 } },
        addToDetailDashboard: signInSteps.has(step),
        useCreatedAlarms: this.collectFor(step, isFaultAlarm),
      });
    }

    for (const [step, lambdaFunction] of props.functions) {
      const isPublisher = lambdaFunction === props.eventPublisher;
      facade.monitorLambdaFunction({
        lambdaFunction,
        alarmFriendlyName: `Function-${step}`,
        humanReadableName: `${step} function`,
        addFaultCountAlarm: { Critical: { maxErrorCount: alarmThresholds.functionErrors } },
        addThrottlesCountAlarm: { Critical: { maxErrorCount: alarmThresholds.functionThrottles } },
        ...(isPublisher && {
          addMaxIteratorAgeAlarm: { Critical: { maxAgeInMillis: alarmThresholds.streamIteratorAge.toMilliseconds() } },
        }),
        addToDetailDashboard: signInSteps.has(step) || isPublisher,
        useCreatedAlarms: this.collectFor(step, isFaultAlarm),
      });
    }

    facade.monitorDynamoTable({
      table: props.table,
      alarmFriendlyName: 'Table',
      humanReadableName: 'Service table',
      addReadThrottledEventsCountAlarm: { Critical: { maxThrottledEventsThreshold: alarmThresholds.tableThrottledEvents } },
      addWriteThrottledEventsCountAlarm: { Critical: { maxThrottledEventsThreshold: alarmThresholds.tableThrottledEvents } },
      addSystemErrorCountAlarm: { Critical: { maxErrorCount: alarmThresholds.tableSystemErrors } },
    });

    facade.monitorSqsQueue({
      queue: props.deadLetterQueue,
      alarmFriendlyName: 'UnpublishedEvents',
      humanReadableName: 'Security events not published (dead letters)',
      addQueueMaxSizeAlarm: { Critical: { maxMessageCount: alarmThresholds.deadLetters } },
    });

    for (const [step, logGroup] of props.kmsLogGroups) {
      logGroup.addMetricFilter(`KmsErrors${step}`, {
        // The handlers log a failed dependency call's error name (functions/http/errors.ts); these are KMS's own.
        filterPattern: FilterPattern.any(
          ...[
            'KMS*',
            'DisabledException',
            'KeyUnavailableException',
            'DependencyTimeoutException',
            'IncorrectKeyException',
            'NotFoundException',
          ].map((name) => FilterPattern.stringValue('$.errorName', '=', name)),
        ),
        metricNamespace: serviceMetrics.namespace,
        metricName: serviceMetrics.kmsErrors,
        metricValue: '1',
        dimensions: { service: '$.service' },
      });
    }

    facade.monitorCustom({
      alarmFriendlyName: 'Security',
      humanReadableName: 'KMS errors and lockouts',
      metricGroups: [
        {
          title: 'KMS errors (all functions)',
          metrics: [
            {
              metric: serviceMetric(serviceMetrics.kmsErrors, Duration.minutes(1)),
              alarmFriendlyName: 'KmsErrors',
              addAlarm: {
                Critical: { threshold: alarmThresholds.kmsErrors, comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD },
              },
            },
          ],
        },
        {
          title: 'Lockouts (5 min)',
          metrics: [
            {
              metric: serviceMetric('Lockouts', Duration.minutes(5)),
              alarmFriendlyName: 'Lockouts',
              addAlarm: {
                Warning: {
                  threshold: alarmThresholds.lockoutsPerFiveMinutes,
                  comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
                  // One five-minute window over the threshold is the spike.
                  datapointsToAlarm: 1,
                  evaluationPeriods: 1,
                },
              },
            },
          ],
        },
      ],
    });
  }

  /** The alarms CodeDeploy watches while it shifts `step`'s traffic: its route's 5xx rate and its function's errors. */
  rollbackAlarms(step: string): IAlarm[] {
    return this.alarmsByStep.get(step) ?? [];
  }

  /** The sign-in funnel: login requests, then sign-ins and second factors, and what else the handlers count. */
  private addFunnel(facade: MonitoringFacade, props: ServiceMonitoringProps): void {
    const login = props.routes.find(({ step }) => step === 'login');
    const loginRequests = new Metric({
      namespace: 'AWS/ApiGateway',
      metricName: 'Count',
      dimensionsMap: {
        ApiId: props.httpApi.apiId,
        Stage: props.apiStageName,
        ...(login && { Method: login.method, Resource: login.path }),
      },
      statistic: 'Sum',
      period: Duration.minutes(5),
      label: 'Login requests',
    });
    facade.monitorCustom({
      alarmFriendlyName: 'Funnel',
      humanReadableName: 'Sign-in funnel',
      metricGroups: [
        {
          title: 'Sign-in funnel: login requests → sign-ins → second factor',
          metrics: [
            loginRequests,
            serviceMetric('SignIns', Duration.minutes(5)),
            serviceMetric('SecondFactorSuccesses', Duration.minutes(5)),
            serviceMetric('SecondFactorFailures', Duration.minutes(5)),
          ],
        },
        {
          title: 'Account events',
          metrics: ['Lockouts', 'Enrollments', 'Resets', 'ServiceUnavailable'].map((name) => serviceMetric(name, Duration.minutes(5))),
        },
      ],
    });
  }

  private collectFor(step: string, rollsBack: (alarm: AlarmWithAnnotation) => boolean) {
    return {
      consume: (alarms: AlarmWithAnnotation[]) => {
        const kept = this.alarmsByStep.get(step) ?? [];
        kept.push(...alarms.filter(rollsBack).map(({ alarm }) => alarm));
        this.alarmsByStep.set(step, kept);
      },
    };
  }
}

/** A route's 5xx-rate alarm or a function's error-count alarm (cdk-monitoring-constructs calls both faults). */
function isFaultAlarm(alarm: AlarmWithAnnotation): boolean {
  return alarm.alarmNameSuffix.startsWith('Fault');
}

/** One of the service's own metrics (namespace `TwoFactor`, dimension `service`), summed over `period`. */
function serviceMetric(metricName: string, period: Duration): Metric {
  return new Metric({
    namespace: serviceMetrics.namespace,
    metricName,
    dimensionsMap: { ...serviceMetrics.dimensions },
    statistic: 'Sum',
    period,
    label: metricName,
  });
}
