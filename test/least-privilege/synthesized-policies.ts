import { readFileSync } from 'node:fs';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CfnRole } from 'aws-cdk-lib/aws-iam';
import { StepFunction } from '../../lib/step-function.js';
import { addTwoFactorService } from '../../lib/two-factor-app.js';
import { awsPlaceholders } from '../support/aws-calls.js';

/** An IAM policy document as CloudFormation takes it, its references resolved to placeholder ARNs. */
export interface PolicyDocument {
  Version?: string;
  Statement: PolicyStatement[];
}

interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: string | string[];
  Principal?: unknown;
  Condition?: Record<string, Record<string, string | string[]>>;
}

/** What one function may do: its role and the identity policies attached to it. */
export interface FunctionPolicies {
  step: string;
  /** The role's ARN in the placeholder account, named by its logical id. */
  roleArn: string;
  policies: { name: string; document: PolicyDocument }[];
}

export interface SynthesizedPolicies {
  /** By step (`login-verify`), every function of the API stack. */
  functions: Map<string, FunctionPolicies>;
  /** The secrets key's resource policy, which KMS evaluates with the identity policies. */
  keyPolicy: PolicyDocument;
}

type Json = unknown;
interface CfnTemplate {
  Resources: Record<string, { Type: string; Properties?: Record<string, Json> }>;
  Outputs?: Record<string, { Value: Json; Export?: { Name: Json } }>;
}

/**
 * Synthesizes the service as `cdk synth` does (cdk.json's context), without bundling the functions (their code
 * is not part of any policy), and reads each function's policies and the key policy from the templates.
 */
export function synthesizedPolicies(): SynthesizedPolicies {
  const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context: Record<string, unknown> };
  const app = new App({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] } });
  const service = addTwoFactorService(app);
  const stacks = app.node.children.filter((child): child is Stack => child instanceof Stack);
  const templates = new Map(stacks.map((stack) => [stack, Template.fromStack(stack).toJSON() as CfnTemplate]));
  const resolver = new TemplateResolver([...templates.values()], templates.get(service.data)!);

  const apiTemplate = templates.get(service.api)!;
  const functions = new Map<string, FunctionPolicies>();
  for (const stepFunction of service.api.node.findAll().filter((node): node is StepFunction => node instanceof StepFunction)) {
    const roleId = service.api.getLogicalId(stepFunction.role.node.defaultChild as CfnRole);
    const role = apiTemplate.Resources[roleId]!;
    if (role.Properties?.ManagedPolicyArns || role.Properties?.Policies) {
      throw new Error(`the role of ${stepFunction.step} has managed or inline policies, which this proof does not read`);
    }
    const policies = Object.entries(apiTemplate.Resources)
      .filter(([, resource]) => resource.Type === 'AWS::IAM::Policy')
      .filter(([, resource]) => JSON.stringify(resource.Properties?.Roles).includes(JSON.stringify({ Ref: roleId })))
      .map(([name, resource]) => ({
        name,
        document: resolver.resolve(resource.Properties!.PolicyDocument, apiTemplate) as PolicyDocument,
      }));
    functions.set(stepFunction.step, {
      step: stepFunction.step,
      roleArn: `arn:aws:iam::${awsPlaceholders.account}:role/${roleId}`,
      policies,
    });
  }

  const dataTemplate = templates.get(service.data)!;
  const keys = Object.values(dataTemplate.Resources).filter((resource) => resource.Type === 'AWS::KMS::Key');
  if (keys.length !== 1) throw new Error(`expected one KMS key in the data stack, found ${keys.length}`);
  const keyPolicy = resolver.resolve(keys[0]!.Properties!.KeyPolicy, dataTemplate) as PolicyDocument;
  return { functions, keyPolicy };
}

/** The placeholder ARN of what `Fn::GetAtt` names, by resource type and attribute. */
const attributePlaceholders: Record<string, Record<string, string>> = {
  'AWS::DynamoDB::Table': { Arn: awsPlaceholders.tableArn, StreamArn: awsPlaceholders.streamArn },
  'AWS::KMS::Key': { Arn: awsPlaceholders.keyArn },
  'AWS::Events::EventBus': { Arn: awsPlaceholders.eventBusArn },
};

/**
 * One placeholder ARN per resource: the recorded calls would be ambiguous otherwise. The placeholders stand for
 * the data stack's table, key and bus; a resource of the same type elsewhere (the alarm topic's own KMS key in
 * the API stack) gets an ARN of its own, which no recorded call names.
 */
const singletonTypes = Object.keys(attributePlaceholders);

/**
 * Resolves CloudFormation's intrinsic functions in a template fragment to the placeholder ARNs of
 * aws-calls.ts: `Ref`, `Fn::GetAtt`, `Fn::ImportValue` (through the exporting stack's output), `Fn::Join`,
 * `Fn::Select`, `Fn::Split` and `Fn::Sub`. What it cannot resolve fails the proof rather than being guessed.
 */
class TemplateResolver {
  constructor(
    private readonly templates: CfnTemplate[],
    private readonly dataTemplate: CfnTemplate,
  ) {
    for (const type of singletonTypes) {
      const count = Object.values(dataTemplate.Resources).filter((resource) => resource.Type === type).length;
      if (count > 1) throw new Error(`${count} resources of type ${type}: the placeholder ARNs cannot tell them apart`);
    }
  }

  resolve(value: Json, template: CfnTemplate): Json {
    if (Array.isArray(value)) return value.map((item) => this.resolve(item, template));
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value as Record<string, Json>);
    const [first] = entries;
    if (entries.length === 1 && first && (first[0] === 'Ref' || first[0].startsWith('Fn::'))) {
      return this.intrinsic(first[0], first[1], template);
    }
    return Object.fromEntries(entries.map(([key, item]) => [key, this.resolve(item, template)]));
  }

  private intrinsic(name: string, argument: Json, template: CfnTemplate): string | string[] {
    const text = (item: Json) => String(this.resolve(item, template));
    switch (name) {
      case 'Ref':
        return this.ref(String(argument), template);
      case 'Fn::GetAtt': {
        const [logicalId, attribute] = Array.isArray(argument) ? argument.map(String) : String(argument).split('.');
        return this.attribute(logicalId!, attribute!, template);
      }
      case 'Fn::ImportValue':
        return this.imported(text(argument));
      case 'Fn::Join': {
        const [separator, parts] = argument as [string, Json[]];
        return parts.map(text).join(separator);
      }
      case 'Fn::Select': {
        const [index, list] = argument as [number, Json];
        const items = this.resolve(list, template);
        return String((Array.isArray(items) ? items : [items])[index]);
      }
      case 'Fn::Split': {
        const [separator, source] = argument as [string, Json];
        return text(source).split(separator);
      }
      case 'Fn::Sub': {
        const [pattern, variables] = Array.isArray(argument) ? (argument as [string, Record<string, Json>]) : [String(argument), {}];
        return pattern.replace(/\$\{([^}]+)\}/g, (_, reference: string) => {
          if (reference in variables) return text(variables[reference]);
          const [logicalId, attribute] = reference.split('.');
          return attribute ? this.attribute(logicalId!, attribute, template) : this.ref(logicalId!, template);
        });
      }
      default:
        throw new Error(`cannot resolve ${name} in a policy`);
    }
  }

  private ref(logicalId: string, template: CfnTemplate): string {
    const pseudo: Record<string, string> = {
      'AWS::Partition': awsPlaceholders.partition,
      'AWS::Region': awsPlaceholders.region,
      'AWS::AccountId': awsPlaceholders.account,
      'AWS::URLSuffix': awsPlaceholders.urlSuffix,
    };
    if (logicalId in pseudo) return pseudo[logicalId]!;
    const resource = template.Resources[logicalId];
    if (!resource) throw new Error(`Ref to ${logicalId}, which the template does not have`);
    if (resource.Type === 'AWS::DynamoDB::Table') return awsPlaceholders.tableArn.split('/').pop()!;
    if (resource.Type === 'AWS::KMS::Key') return awsPlaceholders.keyArn.split('/').pop()!;
    return logicalId;
  }

  private attribute(logicalId: string, attribute: string, template: CfnTemplate): string {
    const resource = template.Resources[logicalId];
    if (!resource) throw new Error(`GetAtt of ${logicalId}, which the template does not have`);
    const known = template === this.dataTemplate ? attributePlaceholders[resource.Type]?.[attribute] : undefined;
    if (known) return known;
    if (resource.Type === 'AWS::Logs::LogGroup' && attribute === 'Arn') {
      return awsPlaceholders.other('logs', `log-group:${logicalId}:*`);
    }
    // Anything else (a queue, a function) gets an ARN of its own that no recorded call names.
    const service = resource.Type.split('::')[1]!.toLowerCase();
    return awsPlaceholders.other(service, `${logicalId}.${attribute}`);
  }

  private imported(exportName: string): string {
    for (const template of this.templates) {
      for (const output of Object.values(template.Outputs ?? {})) {
        if (output.Export && this.resolve(output.Export.Name, template) === exportName) {
          return String(this.resolve(output.Value, template));
        }
      }
    }
    throw new Error(`no stack exports ${exportName}`);
  }
}
