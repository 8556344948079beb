import type { Logger } from '@argus/config';
import type { ApiKeyStore } from '@argus/queue';

export type AuthModeSetting = 'auto' | 'keys' | 'open';

/**
 * Open or protected, decided once and then only ever tightened:
 * - keys exist (API_KEYS, API_ADMIN_KEYS, or any record in the key store, revoked ones
 *   included) → protected;
 * - otherwise AUTH_MODE=open → open, on purpose;
 * - otherwise AUTH_MODE=keys, or auto in production (NODE_ENV=production) → protected with no
 *   key yet: every API request is refused until one is created;
 * - otherwise (auto, not production: a local `npm start`) → open, with a warning.
 * Open becomes protected when a key appears (the store is re-read every few seconds, and a
 * request carrying a stored key switches at once). Nothing turns protected back into open:
 * revoking the last key or losing the key store leaves every request refused (401), and a
 * store that cannot be read answers 503.
 */
export class AuthMode {
  private open = false;
  private checkedAt = 0;

  constructor(
    private readonly deps: {
      store: ApiKeyStore;
      /** Keys from the environment (API_KEYS + API_ADMIN_KEYS). */
      envKeyCount: number;
      setting: AuthModeSetting;
      production: boolean;
      log: Logger;
      /** How often an open API re-reads the key store. */
      recheckMs?: number;
    },
  ) {}

  get isOpen(): boolean {
    return this.open;
  }

  /** Decides the starting mode; Redis must answer (the gateway waits for it first). */
  async start(): Promise<void> {
    const { setting, production, log } = this.deps;
    if (this.deps.envKeyCount > 0 || (await this.deps.store.recordCount()) > 0) {
      log.info('API keys required (Authorization: Bearer <key>)', { authMode: setting });
      return;
    }
    if (setting === 'open') {
      this.open = true;
      log.warn('API is OPEN: AUTH_MODE=open and no API keys; it closes for good once a key is created');
    } else if (setting === 'keys' || production) {
      log.warn(
        'no API keys: every API request is refused (401) until one is created with ' +
          '`npm run keys -- create --name <who>`; set AUTH_MODE=open to run open on purpose',
        { authMode: setting, production },
      );
    } else {
      this.open = true;
      log.warn(
        'API is OPEN: no API keys configured (set API_KEYS or run `npm run keys -- create --name <who>`)',
      );
    }
    this.checkedAt = Date.now();
  }

  /** While open: re-reads the key store now and then; true when the API is still open. */
  async stillOpen(): Promise<boolean> {
    if (!this.open) return false;
    if (Date.now() - this.checkedAt < (this.deps.recheckMs ?? 5_000)) return true;
    this.checkedAt = Date.now();
    // A store that cannot be read leaves an open API open: it was chosen to be open, and
    // its requests fail on Redis anyway.
    const count = await this.deps.store.recordCount().catch(() => 0);
    if (count > 0) this.protect('a key was created in the key store');
    return this.open;
  }

  /** Open → protected, for good. */
  protect(reason: string): void {
    if (!this.open) return;
    this.open = false;
    this.deps.log.warn('auth mode changed: open → protected; API keys are required from now on', {
      reason,
    });
  }
}
