/** Markers of the parse-latency section of bench/RESULTS.md (a full bench run keeps what lies between). */
export const PARSE_BEGIN =
  '<!-- parse-latency:begin (written by `npm run bench:parse`, bench/src/parse-latency.ts) -->';
export const PARSE_END = '<!-- parse-latency:end -->';
