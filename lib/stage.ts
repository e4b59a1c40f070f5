import type { Node } from 'constructs';

/** Per-route throttle of the HTTP API stage: steady requests per second and the bucket a burst may drain. */
interface RouteThrottle {
  readonly rateLimit: number;
  readonly burstLimit: number;
}

/**
 * The CloudFront + AWS WAF front of a stage, with its custom domain. The certificate of the distribution
 * must be in us-east-1 (CloudFront's rule); the regional one is for the API Gateway custom domain the
 * distribution forwards to, in the stage's region (the same ARN when the stage is in us-east-1).
 */
export interface EdgeSettings {
  readonly domainName: string;
  readonly certificateArn: string;
  readonly regionalCertificateArn: string;
}

/**
 * Everything that differs between two deployments of the service in one account: the name every physical
 * name derives from, what is kept when a stack is deleted, and the capacity and deploy settings.
 */
export interface StageConfig {
  /** `dev`, `prod`, ...: lower-case letters, digits and dashes; part of every stack and resource name. */
  readonly name: string;
  /** The stage's region, when it must be explicit (an edge front outside us-east-1); else the caller's. */
  readonly region?: string;
  /** Termination protection on the stacks and RETAIN on the table, keys and log groups (every stage but dev). */
  readonly protectData: boolean;
  /** How CodeDeploy shifts traffic to a new version of an HTTP function. */
  readonly deployment: 'canary' | 'allAtOnce';
  /**
   * Reserved concurrency of the login function: its ceiling, so a login flood (each one an Argon2id hash)
   * cannot take the account's concurrency from every other function. Undefined: none (dev accounts often
   * have a concurrency quota of 10, where nothing can be reserved).
   */
  readonly loginReservedConcurrency?: number;
  /** Reserved concurrency of login/verify: its floor, which a login flood cannot take. */
  readonly loginVerifyReservedConcurrency?: number;
  /** Tighter throttles than the stage default on the routes an attacker drives: signup, login, login/verify. */
  readonly routeThrottles: Readonly<Record<'signup' | 'login' | 'login-verify', RouteThrottle>>;
  /** The CloudFront + WAF front with a custom domain; undefined: clients call the execute-api endpoint. */
  readonly edge?: EdgeSettings;
  /** Subscribed by email to the alarm topic when given. */
  readonly alarmEmail?: string;
}

/** The stage of `cdk synth` / `cdk deploy` without `-c stage=...`. */
const defaultStageName = 'dev';

/** The region CloudFront takes its certificates and WAF web ACLs from. */
export const edgeRegion = 'us-east-1';

/**
 * Tighter than the stage default (100 rps, burst 200): login and login/verify each get half of it, sign-up a
 * tenth, so one client's flood of one route leaves the others their share. Throttles are per stage, not per
 * client: the WAF rate-based rule of the edge front is what limits one IP.
 */
const productionRouteThrottles: StageConfig['routeThrottles'] = {
  signup: { rateLimit: 10, burstLimit: 20 },
  login: { rateLimit: 50, burstLimit: 100 },
  'login-verify': { rateLimit: 50, burstLimit: 100 },
};

/** The settings of a stage before context overrides: `dev` is destroyable and deploys at once; every other stage is protected. */
function baseStage(name: string): StageConfig {
  if (name === defaultStageName) {
    return { name, protectData: false, deployment: 'allAtOnce', routeThrottles: productionRouteThrottles };
  }
  return {
    name,
    protectData: true,
    deployment: 'canary',
    // Account concurrency 1,000 (the default quota): 100 + 50 reserved leaves 850 to the other 27 functions,
    // above Lambda's floor of 100 unreserved. See docs/OPERATIONS.md, "Capacity".
    loginReservedConcurrency: 100,
    loginVerifyReservedConcurrency: 50,
    routeThrottles: productionRouteThrottles,
  };
}

/** What `-c key=value` or cdk.json's `stageSettings.<stage>` may set; `-c` wins. */
type StageSettingKey =
  | 'region'
  | 'domainName'
  | 'certificateArn'
  | 'regionalCertificateArn'
  | 'alarmEmail'
  | 'loginReservedConcurrency'
  | 'loginVerifyReservedConcurrency';

/**
 * The stage this synth is for, from the context: `-c stage=<name>` (default `dev`), then per-stage settings
 * from cdk.json's `stageSettings.<name>` object and single `-c` keys (`domainName`, `certificateArn`,
 * `regionalCertificateArn`, `region`, `alarmEmail`, `loginReservedConcurrency`, `loginVerifyReservedConcurrency`).
 */
export function stageFromContext(node: Node, stageName?: string): StageConfig {
  const name = stageName ?? String(node.tryGetContext('stage') ?? defaultStageName);
  if (!/^[a-z][a-z0-9-]{0,15}$/.test(name)) {
    throw new Error(`stage "${name}": use 1 to 16 lower-case letters, digits and dashes, starting with a letter`);
  }
  const perStage = (node.tryGetContext('stageSettings') as Record<string, Record<string, unknown>> | undefined)?.[name] ?? {};
  const setting = (key: StageSettingKey): string | undefined => {
    const value: unknown = node.tryGetContext(key) ?? perStage[key];
    if (value === undefined || value === '') return undefined;
    if (typeof value !== 'string' && typeof value !== 'number') throw new Error(`stage ${name}: ${key} must be a string or a number`);
    return String(value);
  };
  const base = baseStage(name);
  const region = setting('region');
  const edge = edgeSettings(name, region, setting('domainName'), setting('certificateArn'), setting('regionalCertificateArn'));
  const alarmEmail = setting('alarmEmail');
  return {
    ...base,
    ...(region && { region }),
    ...(edge && { edge }),
    ...(alarmEmail && { alarmEmail }),
    loginReservedConcurrency: concurrency(setting('loginReservedConcurrency')) ?? base.loginReservedConcurrency,
    loginVerifyReservedConcurrency: concurrency(setting('loginVerifyReservedConcurrency')) ?? base.loginVerifyReservedConcurrency,
  };
}

function edgeSettings(
  stage: string,
  region: string | undefined,
  domainName: string | undefined,
  certificateArn: string | undefined,
  regionalCertificateArn: string | undefined,
): EdgeSettings | undefined {
  if (!domainName && !certificateArn) return undefined;
  if (!domainName || !certificateArn) {
    throw new Error(`stage ${stage}: an edge front needs both domainName and certificateArn`);
  }
  if (!certificateArn.startsWith(`arn:aws:acm:${edgeRegion}:`)) {
    throw new Error(`stage ${stage}: CloudFront takes only certificates in ${edgeRegion}; got ${certificateArn}`);
  }
  if (!region) {
    throw new Error(`stage ${stage}: an edge front needs the stage's region (-c region=...), for the reference from ${edgeRegion}`);
  }
  if (!regionalCertificateArn && region !== edgeRegion) {
    throw new Error(`stage ${stage}: give regionalCertificateArn, a certificate for ${domainName} in ${region}`);
  }
  return { domainName, certificateArn, regionalCertificateArn: regionalCertificateArn ?? certificateArn };
}

function concurrency(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new Error(`reserved concurrency must be a positive integer, got ${value}`);
  return parsed;
}

/** `TwoFactor-<stage>-<part>`: stack names and the prefix of alarm and dashboard names. */
export function stageResourceName(stage: StageConfig, part?: string): string {
  return part ? `TwoFactor-${stage.name}-${part}` : `TwoFactor-${stage.name}`;
}

/** `two-factor-<stage>-<part>`: lower-case names (event bus, key alias, API name). */
export function stageLowerName(stage: StageConfig, part: string): string {
  return `two-factor-${stage.name}-${part}`;
}
