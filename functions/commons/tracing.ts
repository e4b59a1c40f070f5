import type { Tracer } from '@aws-lambda-powertools/tracer';

let tracer: Promise<Tracer> | undefined;

/** Whether X-Ray samples this invocation (Lambda's `_X_AMZN_TRACE_ID`: `Root=…;Parent=…;Sampled=1`). */
function sampled(): boolean {
  return /(?:^|;)Sampled=1(?:;|$)/.test(process.env._X_AMZN_TRACE_ID ?? '');
}

/**
 * Runs `work` in an X-Ray subsegment `## <step>` when the invocation is sampled (the functions run with active
 * tracing, so Lambda records every invocation's segment itself). Powertools' Tracer, with the X-Ray SDK under
 * it, costs ~45 ms of CPU to load (docs/runtime-and-bundles.md), more than the whole pipeline of a warm
 * login/verify, so it is loaded on the first sampled invocation of an instance instead of at every cold start.
 * It then traces the HTTPS calls to DynamoDB, KMS, EventBridge and SQS. Annotations: `step`, `ColdStart`,
 * `Service`; no metadata, no captured responses or errors (tokens and codes travel in them).
 */
export async function traced<T>(step: string, work: () => Promise<T>): Promise<T> {
  if (!sampled()) return work();
  const loaded = await (tracer ??= import('@aws-lambda-powertools/tracer').then(
    ({ Tracer }) => new Tracer({ serviceName: 'two-factor', captureHTTPsRequests: true }),
  ));
  const parent = loaded.isTracingEnabled() ? loaded.getSegment() : undefined;
  if (!parent) return work();
  const subsegment = parent.addNewSubsegment(`## ${step}`);
  loaded.setSegment(subsegment);
  loaded.annotateColdStart();
  loaded.addServiceNameAnnotation();
  loaded.putAnnotation('step', step);
  try {
    return await work();
  } catch (error) {
    subsegment.addErrorFlag();
    throw error;
  } finally {
    subsegment.close();
    loaded.setSegment(parent);
  }
}
