import { z } from 'zod';
import { dependencies } from '../commons/dependencies.js';
import { plans } from '../core/model.js';
import { createApp } from '../core/use-cases/create-app.js';
import { platformFunction } from '../http/platform.js';
import { allowedOrigins, email, password } from '../http/schemas.js';

export const createAppInput = z.strictObject({
  name: z.string().trim().min(1).max(100),
  plan: z.enum(plans),
  adminEmail: email,
  adminPassword: password,
  allowedOrigins: allowedOrigins.optional(),
});

/** Platform engineers only: invoked with IAM, no public route. */
export const handler = platformFunction(createAppInput, (input) => createApp(dependencies(), input));
