import { catalogue } from '../errors.js';
import type { Dependencies } from '../ports.js';
import { effectiveMode } from '../plans.js';
import { renderQrCode, type QrCodeImages } from '../qr.js';
import { enrollmentLifetimeMs, newId, toEpochSeconds } from '../tokens.js';
import { generateTotpSecret, manualEntryKey, otpauthUri } from '../totp.js';
import { authenticateForEnrollment } from './authenticate.js';

export interface EnrollmentStarted {
  otpauthUri: string;
  manualEntryKey: string;
  qrCode: QrCodeImages;
  expiresAt: string;
}

/**
 * Creates a new pending secret (replacing any earlier one) and shows it as a QR code and a manual key.
 * The secret is sealed before it is stored; the plaintext exists only in this response.
 */
export async function startEnrollment(deps: Dependencies, input: { appId: string; token: string | null }): Promise<EnrollmentStarted> {
  const principal = await authenticateForEnrollment(deps, input.appId, input.token);
  const { user, app } = principal;
  if (effectiveMode(app.publishedConfig) === 'off') {
    throw catalogue.twoFactorNotAvailable();
  }
  if (user.twoFactorEnabled) throw catalogue.alreadyEnabled();

  const secret = generateTotpSecret();
  try {
    // On the sign-up/login path the enrollment cannot outlive the challenge that authorizes it.
    const challengeEndsMs = principal.kind === 'challenge' ? principal.challenge.expiresAt * 1000 : Number.POSITIVE_INFINITY;
    const expiresAtMs = Math.min(deps.clock() + enrollmentLifetimeMs, challengeEndsMs);
    await deps.users.putPendingEnrollment({
      userId: user.id,
      enrollmentId: newId('enr'),
      secret: await deps.secrets.seal(app, user.id, secret),
      failedAttempts: 0,
      expiresAt: toEpochSeconds(expiresAtMs),
    });
    const uri = otpauthUri(app.name, user.email, secret);
    return {
      otpauthUri: uri,
      manualEntryKey: manualEntryKey(secret),
      qrCode: await renderQrCode(uri),
      expiresAt: new Date(toEpochSeconds(expiresAtMs) * 1000).toISOString(),
    };
  } finally {
    secret.fill(0);
  }
}
