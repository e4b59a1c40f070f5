/**
 * CDK app of the two-factor service: `npx cdk synth`, `npx cdk deploy --all`.
 *
 * `-c stage=<name>` (default `dev`) picks the stage; every stack and physical name derives from it, so stages
 * deploy side by side in one account (README, "Deploy"). The stacks are environment-agnostic unless the stage
 * names a region (an edge front needs one): they need no lookups, so synth works offline
 * and gives the same template whoever runs it; `cdk deploy` targets the caller's account and region.
 */
import { App } from 'aws-cdk-lib';
import { addTwoFactorService } from '../lib/two-factor-app.js';

const app = new App();
addTwoFactorService(app);
app.synth();
