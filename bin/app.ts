/**
 * CDK app of the two-factor service: `npx cdk synth`, `npx cdk deploy --all`.
 *
 * The stacks are environment-agnostic on purpose: they need no lookups, so synth works offline
 * and gives the same template whoever runs it; `cdk deploy` targets the caller's account and region.
 */
import { App } from 'aws-cdk-lib';
import { addTwoFactorService } from '../lib/two-factor-app.js';

const app = new App();
addTwoFactorService(app);
app.synth();
