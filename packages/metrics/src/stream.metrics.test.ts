import { Registry } from 'prom-client';
import { StreamMetrics } from './stream.metrics';

/** Samples of `name` for `stream` in the registry's text exposition. */
async function sample(registry: Registry, name: string, stream: string): Promise<number | undefined> {
  const text = await registry.metrics();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{stream="${stream}"}`));
  return line === undefined ? undefined : Number(line.split(' ').pop());
}

describe('StreamMetrics', () => {
  it('counts frames per stream, measures fps over the window from a given clock, and drops a stream’s series', async () => {
    let now = 1_000_000;
    const registry = new Registry();
    const m = new StreamMetrics(registry, () => now);
    m.begin('s1');
    m.begin('s2');
    expect(await sample(registry, 'argus_stream_frames_in_total', 's2')).toBe(0);
    for (let i = 0; i < 20; i++) {
      m.frameIn('s1', i % 4 === 3);
      if (i % 2 === 0) m.processed('s1', 250);
      now += 250; // 4 frames/s in, 2 processed
    }
    m.reconnect('s1');
    expect(await sample(registry, 'argus_stream_frames_in_total', 's1')).toBe(20);
    expect(await sample(registry, 'argus_stream_frames_processed_total', 's1')).toBe(10);
    expect(await sample(registry, 'argus_stream_frames_dropped_total', 's1')).toBe(5);
    expect(await sample(registry, 'argus_stream_reconnects_total', 's1')).toBe(1);
    expect(await sample(registry, 'argus_stream_lag_seconds', 's1')).toBe(0.25);
    expect(await sample(registry, 'argus_stream_input_fps', 's1')).toBeCloseTo(4, 5); // 20 frames in the 5 s since begin()
    expect(await sample(registry, 'argus_stream_processed_fps', 's1')).toBeCloseTo(2, 5);
    now += 5_000; // a 10 s window now: 20 frames in it
    expect(await sample(registry, 'argus_stream_input_fps', 's1')).toBeCloseTo(2, 5);
    now += 20_000;
    expect(await sample(registry, 'argus_stream_input_fps', 's1')).toBe(0);
    m.end('s1');
    const text = await registry.metrics();
    expect(text).not.toContain('stream="s1"');
    expect(text).toContain('stream="s2"');
  });
});
