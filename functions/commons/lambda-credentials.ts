/** AWS credentials as the SDK's signers take them. */
export interface EnvironmentCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/**
 * The credentials Lambda gives a function: its execution role's session, in `AWS_ACCESS_KEY_ID`,
 * `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`. The lean DynamoDB and KMS client signs with them, here and
 * in the local stack (which sets them to `local`).
 */
export function environmentCredentials(): EnvironmentCredentials {
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken } = process.env;
  if (!accessKeyId || !secretAccessKey)
    throw new Error('No AWS credentials in the environment: Lambda sets AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY');
  return sessionToken ? { accessKeyId, secretAccessKey, sessionToken } : { accessKeyId, secretAccessKey };
}

/**
 * Bundled in place of `@aws-sdk/credential-provider-node` in the Lambda functions (the esbuild alias in
 * lib/step-function.ts), never used by the local stack, which runs the SDK's own chain. That chain tries the
 * environment first, which is where Lambda puts the role's credentials, so on Lambda it always ends there; its
 * other sources (profiles, SSO, web identity, process, container and instance metadata) and their nested STS and
 * SSO clients are ~90 KB every function would parse at each cold start and never run.
 */
export function defaultProvider(): () => Promise<EnvironmentCredentials> {
  return () => Promise.resolve().then(environmentCredentials);
}
