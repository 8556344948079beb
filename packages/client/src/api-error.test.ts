import {
  ERROR_STATUS,
  type DetectResult as ServerDetectResult,
  type ParseResult as ServerParseResult,
} from '@argus/contracts';
import { API_ERROR_CODES, errorFromAnswer } from './api-error';
import type { DetectResult, ParseResult } from './types';

describe('the client speaks the API error codes', () => {
  it('knows exactly the codes of packages/contracts', () => {
    expect([...API_ERROR_CODES].sort()).toEqual(Object.keys(ERROR_STATUS).sort());
  });

  it('types an error body by its code, with Retry-After', () => {
    const e = errorFromAnswer(503, JSON.stringify({ error: { code: 'overloaded', message: 'busy' } }), '3');
    expect(e).toMatchObject({ code: 'overloaded', message: 'busy', status: 503, retryAfterSeconds: 3 });
    expect(e.retryable).toBe(true);
    const odd = errorFromAnswer(502, '<html>bad gateway</html>', null);
    expect(odd).toMatchObject({ code: 'http_502', status: 502 });
    expect(
      errorFromAnswer(400, JSON.stringify({ error: { code: 'invalid_option', message: 'x' } }), null)
        .retryable,
    ).toBe(false);
  });

  it('reads the server result types (checked by the compiler)', () => {
    const detect: DetectResult = { detections: [], count: 0 } as unknown as ServerDetectResult;
    const parse: ParseResult = { persons: [] } as unknown as ServerParseResult;
    expect(detect.count).toBe(0);
    expect(parse.persons).toEqual([]);
  });
});
