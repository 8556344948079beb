import { createLogger, type LogLevel } from './logger';

function capture(json: boolean, level: LogLevel = 'info') {
  const out: string[] = [];
  const err: string[] = [];
  const log = createLogger({
    name: 'gateway',
    level,
    json,
    streams: { out: { write: (l: string) => out.push(l) }, err: { write: (l: string) => err.push(l) } },
  });
  return { log, out, err };
}

describe('createLogger (pino)', () => {
  it('writes JSON lines with time, level label, name, the bound fields, the call fields and msg', () => {
    const { log, out, err } = capture(true);
    log.child({ requestId: 'r-1' }).child({ jobId: 'j-1' }).info('job done', { inferMs: 12.5 });
    expect(err).toEqual([]);
    expect(out).toHaveLength(1);
    const line = JSON.parse(out[0]);
    expect(line).toMatchObject({
      level: 'info',
      name: 'gateway',
      requestId: 'r-1',
      jobId: 'j-1',
      inferMs: 12.5,
      msg: 'job done',
    });
    expect(new Date(line.time).toISOString()).toBe(line.time);
  });

  it('sends warn and error to the error stream, filters below the level', () => {
    const { log, out, err } = capture(true, 'warn');
    log.debug('hidden');
    log.info('hidden too');
    log.warn('careful', { err: new Error('boom') });
    log.error('broken');
    expect(out).toEqual([]);
    expect(err.map((l) => JSON.parse(l).level)).toEqual(['warn', 'error']);
    expect(JSON.parse(err[0]).err).toMatchObject({ name: 'Error', message: 'boom' });
  });

  it('writes one text line with the call fields right after the message, then bound fields', () => {
    const { log, out } = capture(false);
    log.child({ requestId: 'abc' }).info('gateway listening', { url: 'http://127.0.0.1:1234', n: 2 });
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(
      /^\d{4}-\d\d-\d\dT[\d:.]+Z INFO {2}\[gateway\] gateway listening url=http:\/\/127\.0\.0\.1:1234 n=2 requestId=abc\n$/,
    );
    expect(/gateway listening url=(\S+)/.exec(out[0])?.[1]).toBe('http://127.0.0.1:1234');
  });

  it('prints error values by their message in text, and nothing for the silent level', () => {
    const { log, err } = capture(false);
    log.error('inference thread crashed', { err: new Error('segfault') });
    expect(err[0]).toContain('ERROR [gateway] inference thread crashed err=segfault');
    const silent = capture(false, 'silent');
    silent.log.error('nobody hears this');
    expect(silent.err).toEqual([]);
  });
});
