import { AppError } from '@argus/contracts';
import { preferWaitSeconds, waitSecondsFromQuery } from './job-wait';

describe('Prefer: wait=N (RFC 7240)', () => {
  it('reads wait among other preferences, capped at 60 s', () => {
    expect(preferWaitSeconds('wait=10')).toBe(10);
    expect(preferWaitSeconds('respond-async, wait=5')).toBe(5);
    expect(preferWaitSeconds('handling=lenient; wait="7"')).toBe(7);
    expect(preferWaitSeconds('wait=600')).toBe(60);
  });

  it('ignores a header that does not ask to wait, as a preference may be', () => {
    expect(preferWaitSeconds(undefined)).toBeUndefined();
    expect(preferWaitSeconds('respond-async')).toBeUndefined();
    expect(preferWaitSeconds('wait=soon')).toBeUndefined();
    expect(preferWaitSeconds('nowait=3')).toBeUndefined();
  });
});

describe('?wait=N', () => {
  it('accepts 0 to 60 seconds, fractions too; absent means 0', () => {
    expect(waitSecondsFromQuery(undefined)).toBe(0);
    expect(waitSecondsFromQuery('')).toBe(0);
    expect(waitSecondsFromQuery('0')).toBe(0);
    expect(waitSecondsFromQuery('2.5')).toBe(2.5);
    expect(waitSecondsFromQuery('60')).toBe(60);
  });

  it('refuses anything else with invalid_option', () => {
    const codeOf = (raw: unknown) => {
      try {
        waitSecondsFromQuery(raw);
        return 'accepted';
      } catch (err) {
        return err instanceof AppError ? err.code : 'other';
      }
    };
    for (const bad of ['61', '-1', 'abc', '1e3', ['1', '2']]) expect(codeOf(bad)).toBe('invalid_option');
  });
});
