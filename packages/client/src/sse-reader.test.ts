import { readEventStream } from './sse-reader';

function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const c of chunks) controller.enqueue(encoder.encode(c));
      controller.close();
    },
  });
}

async function all(chunks: string[]) {
  const out = [];
  for await (const e of readEventStream(streamOf(chunks))) out.push(e);
  return out;
}

describe('readEventStream', () => {
  const text =
    'retry: 1000\n\n: heartbeat\n\nevent: progress\nid: 10\ndata: {"a":1}\n\nid: end\r\nevent: completed\r\ndata: line1\r\ndata: line2\r\n\r\n';

  it('reads events, skips comments and retry lines, joins multi-line data', async () => {
    expect(await all([text])).toEqual([
      { event: 'progress', id: '10', data: '{"a":1}' },
      { event: 'completed', id: 'end', data: 'line1\nline2' },
    ]);
  });

  it('gives the same events however the bytes are split', async () => {
    const whole = await all([text]);
    for (let cut = 1; cut < text.length; cut += 7) {
      expect(await all([text.slice(0, cut), text.slice(cut)])).toEqual(whole);
    }
    expect(await all(text.split(''))).toEqual(whole);
  });

  it('drops an event cut off before its blank line, defaults the name to message', async () => {
    expect(await all(['data: x\n\n', 'event: progress\ndata: half'])).toEqual([
      { event: 'message', id: '', data: 'x' },
    ]);
  });
});
