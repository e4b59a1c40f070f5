import { Logger } from '@aws-lambda-powertools/logger';

/**
 * The one logger. It never receives request bodies, tokens, codes or secrets: handlers log only error
 * names and request ids.
 */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'two-factor' });
