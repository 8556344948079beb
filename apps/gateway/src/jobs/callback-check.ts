import { AppError } from '@argus/contracts';
import { CallbackUrlError, checkCallbackUrl, type CallbackPolicy } from '@argus/webhooks';

/** Refuses a callbackUrl before anything is queued: no signing secret, bad scheme, private address. */
export async function validateCallbackUrl(
  raw: string,
  policy: CallbackPolicy,
  secret: string | undefined,
): Promise<string> {
  if (!secret) {
    throw new AppError(
      'invalid_callback_url',
      'webhooks are off on this server: it has no WEBHOOK_SECRET to sign deliveries with',
    );
  }
  try {
    return (await checkCallbackUrl(raw, policy)).toString();
  } catch (err) {
    if (err instanceof CallbackUrlError) throw new AppError('invalid_callback_url', err.message);
    throw err;
  }
}
