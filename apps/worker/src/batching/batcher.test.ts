import { Batcher, type BatcherClock, type BatcherOptions, type Batched } from './batcher';

/** A clock that only moves when the test says so. */
class ManualClock implements BatcherClock {
  private t = 0;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private nextId = 1;

  now(): number {
    return this.t;
  }

  schedule(ms: number, fn: () => void): unknown {
    const id = this.nextId++;
    this.timers.push({ at: this.t + ms, fn, id });
    return id;
  }

  cancel(handle: unknown): void {
    this.timers = this.timers.filter((x) => x.id !== handle);
  }

  /** Moves time forward by `ms`, firing due timers in order and letting promises settle. */
  async advance(ms = 0): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      await flush();
      const due = this.timers.filter((x) => x.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((x) => x !== due);
      this.t = Math.max(this.t, due.at);
      due.fn();
    }
    this.t = end;
    await flush();
  }
}

const flush = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

/** An executor whose runs the test finishes by hand; records every batch. */
function manualExecutor<In>() {
  const runs: {
    inputs: In[];
    key: string;
    finish(results?: Array<string | Error>): void;
    fail(e: Error): void;
  }[] = [];
  const execute = (inputs: In[], key: string) =>
    new Promise<Array<string | Error>>((resolve, reject) => {
      runs.push({
        inputs,
        key,
        finish: (results) => resolve(results ?? inputs.map((i) => `out:${String(i)}`)),
        fail: reject,
      });
    });
  return { runs, execute };
}

function setup(opts: Partial<BatcherOptions> = {}) {
  const clock = new ManualClock();
  const exec = manualExecutor<string>();
  const batcher = new Batcher<string, string>(
    { maxBatchSize: 4, maxQueueDelayMs: 10, ...opts },
    exec.execute,
    clock,
  );
  const settled: Record<string, Batched<string> | Error> = {};
  const submit = (input: string, key?: string) =>
    void batcher.submit(input, key).then(
      (r) => (settled[input] = r),
      (e: Error) => (settled[input] = e),
    );
  return { clock, runs: exec.runs, batcher, settled, submit };
}

describe('Batcher', () => {
  it('flushes as soon as a batch is full, without waiting for the delay', async () => {
    const { clock, runs, submit } = setup({ maxBatchSize: 3, maxQueueDelayMs: 1000 });
    ['a', 'b', 'c', 'd'].forEach((x) => submit(x));
    await clock.advance(0);
    expect(runs.map((r) => r.inputs)).toEqual([['a', 'b', 'c']]);
  });

  it('flushes a partial batch when its oldest input has waited maxQueueDelayMs', async () => {
    const { clock, runs, submit, settled } = setup({ maxBatchSize: 4, maxQueueDelayMs: 10 });
    submit('a');
    await clock.advance(6);
    submit('b');
    await clock.advance(3);
    expect(runs).toHaveLength(0);
    await clock.advance(1); // a has now waited 10 ms
    expect(runs.map((r) => r.inputs)).toEqual([['a', 'b']]);
    await clock.advance(7);
    runs[0].finish();
    await clock.advance(0);
    expect(settled.a).toEqual({ output: 'out:a', batch: { id: 1, size: 2, waitMs: 10, runMs: 7 } });
    expect(settled.b).toEqual({ output: 'out:b', batch: { id: 1, size: 2, waitMs: 4, runMs: 7 } });
  });

  it('with delay 0 runs what arrived in the same turn together, and no more', async () => {
    const { clock, runs, submit } = setup({ maxBatchSize: 8, maxQueueDelayMs: 0 });
    submit('a');
    submit('b');
    await clock.advance(0);
    submit('c');
    await clock.advance(0);
    expect(runs.map((r) => r.inputs)).toEqual([['a', 'b']]);
    runs[0].finish();
    await clock.advance(0);
    expect(runs.map((r) => r.inputs)).toEqual([['a', 'b'], ['c']]);
  });

  it('keeps queueing while the instance is busy, then runs what waited as one batch', async () => {
    const { clock, runs, submit } = setup({ maxBatchSize: 4, maxQueueDelayMs: 2 });
    submit('a');
    await clock.advance(2);
    expect(runs).toHaveLength(1);
    ['b', 'c', 'd', 'e', 'f'].forEach((x) => submit(x));
    await clock.advance(50);
    expect(runs).toHaveLength(1); // one instance, busy
    runs[0].finish();
    await clock.advance(0);
    expect(runs.map((r) => r.inputs)).toEqual([['a'], ['b', 'c', 'd', 'e']]);
    runs[1].finish();
    await clock.advance(0);
    expect(runs[2].inputs).toEqual(['f']); // f's deadline passed while it waited
  });

  it('sends the largest preferred size that can be formed at once', async () => {
    const { clock, runs, submit } = setup({
      maxBatchSize: 8,
      maxQueueDelayMs: 100,
      preferredBatchSizes: [2, 4],
    });
    ['a', 'b', 'c'].forEach((x) => submit(x));
    await clock.advance(0);
    expect(runs.map((r) => r.inputs)).toEqual([['a', 'b']]);
    runs[0].finish();
    ['d', 'e', 'f', 'g', 'h'].forEach((x) => submit(x));
    await clock.advance(0);
    expect(runs.map((r) => r.inputs)).toEqual([
      ['a', 'b'],
      ['c', 'd', 'e', 'f'],
    ]);
    runs[1].finish();
    await clock.advance(0);
    expect(runs.map((r) => r.inputs)).toEqual([
      ['a', 'b'],
      ['c', 'd', 'e', 'f'],
      ['g', 'h'],
    ]);
  });

  it('waits for the delay when no preferred size can be formed', async () => {
    const { clock, runs, submit } = setup({ maxBatchSize: 8, maxQueueDelayMs: 20, preferredBatchSizes: [4] });
    ['a', 'b', 'c'].forEach((x) => submit(x));
    await clock.advance(19);
    expect(runs).toHaveLength(0);
    await clock.advance(1);
    expect(runs.map((r) => r.inputs)).toEqual([['a', 'b', 'c']]);
  });

  it('never mixes keys in one run, and serves the oldest key first', async () => {
    const { clock, runs, submit } = setup({ maxBatchSize: 4, maxQueueDelayMs: 5 });
    submit('a1', 'A');
    await clock.advance(1);
    submit('b1', 'B');
    submit('a2', 'A');
    await clock.advance(5);
    expect(runs.map((r) => [r.key, r.inputs])).toEqual([['A', ['a1', 'a2']]]);
    runs[0].finish();
    await clock.advance(0);
    expect(runs.map((r) => [r.key, r.inputs])).toEqual([
      ['A', ['a1', 'a2']],
      ['B', ['b1']],
    ]);
  });

  it('runs up to maxInFlight batches at once (one per instance)', async () => {
    const { clock, runs, submit } = setup({ maxBatchSize: 2, maxQueueDelayMs: 0, maxInFlight: 2 });
    ['a', 'b', 'c', 'd', 'e'].forEach((x) => submit(x));
    await clock.advance(0);
    expect(runs.map((r) => r.inputs)).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
    runs[1].finish();
    await clock.advance(0);
    expect(runs[2].inputs).toEqual(['e']);
  });

  it('spreads what waits over free instances instead of idling one of them', async () => {
    const { clock, runs, submit } = setup({ maxBatchSize: 4, maxQueueDelayMs: 0, maxInFlight: 2 });
    ['a', 'b', 'c'].forEach((x) => submit(x));
    await clock.advance(0);
    expect(runs.map((r) => r.inputs)).toEqual([['a', 'b'], ['c']]);
    runs[0].finish();
    runs[1].finish();
    // Under load both instances are busy, so the queue fills batches again.
    ['d', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm'].forEach((x) => submit(x));
    await clock.advance(0);
    expect(runs.slice(2).map((r) => r.inputs)).toEqual([
      ['d', 'e', 'f', 'g'],
      ['h', 'i', 'j', 'k'],
    ]);
  });

  it('fails one input alone when its slot holds an error', async () => {
    const { clock, runs, submit, settled } = setup({ maxBatchSize: 3, maxQueueDelayMs: 0 });
    ['a', 'b', 'c'].forEach((x) => submit(x));
    await clock.advance(0);
    runs[0].finish(['out:a', new Error('b is bad'), 'out:c']);
    await clock.advance(0);
    expect((settled.a as Batched<string>).output).toBe('out:a');
    expect((settled.b as Error).message).toBe('b is bad');
    expect((settled.c as Batched<string>).output).toBe('out:c');
  });

  it('when a whole run fails, retries each input alone so only the bad one fails', async () => {
    const { clock, runs, submit, settled } = setup({ maxBatchSize: 3, maxQueueDelayMs: 0 });
    ['a', 'bad', 'c'].forEach((x) => submit(x));
    await clock.advance(0);
    runs[0].fail(new Error('the run failed'));
    for (let i = 1; i <= 3; i++) {
      await clock.advance(0);
      const run = runs[i];
      if (run.inputs[0] === 'bad') run.fail(new Error('bad input'));
      else run.finish();
    }
    await clock.advance(0);
    expect(runs.map((r) => r.inputs)).toEqual([['a', 'bad', 'c'], ['a'], ['bad'], ['c']]);
    expect((settled.a as Batched<string>).batch.size).toBe(1);
    expect((settled.bad as Error).message).toBe('bad input');
    expect((settled.c as Batched<string>).output).toBe('out:c');
  });

  it('without isolation, a failed run fails all its inputs with the run error', async () => {
    const { clock, runs, submit, settled } = setup({
      maxBatchSize: 2,
      maxQueueDelayMs: 0,
      isolateFailures: false,
    });
    ['a', 'b'].forEach((x) => submit(x));
    await clock.advance(0);
    runs[0].fail(new Error('boom'));
    await clock.advance(0);
    expect(runs).toHaveLength(1);
    expect([(settled.a as Error).message, (settled.b as Error).message]).toEqual(['boom', 'boom']);
  });

  it('with maxBatchSize 1 every input runs alone', async () => {
    const { clock, runs, submit } = setup({ maxBatchSize: 1, maxQueueDelayMs: 50 });
    ['a', 'b'].forEach((x) => submit(x));
    await clock.advance(0);
    runs[0].finish();
    await clock.advance(0);
    expect(runs.map((r) => r.inputs)).toEqual([['a'], ['b']]);
  });

  it('close() fails queued inputs and refuses new ones', async () => {
    const { clock, batcher, submit, settled } = setup({ maxBatchSize: 4, maxQueueDelayMs: 100 });
    submit('a');
    batcher.close('worker stopping');
    await clock.advance(0);
    expect((settled.a as Error).message).toBe('worker stopping');
    await expect(batcher.submit('b')).rejects.toThrow(/closed/);
  });

  it('refuses inconsistent options', () => {
    const exec = manualExecutor<string>();
    expect(() => new Batcher({ maxBatchSize: 0, maxQueueDelayMs: 0 }, exec.execute)).toThrow(RangeError);
    expect(
      () => new Batcher({ maxBatchSize: 4, maxQueueDelayMs: 0, preferredBatchSizes: [8] }, exec.execute),
    ).toThrow(/preferred batch size 8/);
  });
});
