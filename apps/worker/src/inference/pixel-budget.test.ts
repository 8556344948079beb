import { PixelBudget } from './pixel-budget';

describe('PixelBudget', () => {
  it('lets jobs in while they fit and makes the rest wait in order', async () => {
    const budget = new PixelBudget(100);
    const a = await budget.acquire(60);
    const order: string[] = [];
    const b = budget.acquire(60).then((release) => (order.push('b'), release));
    const c = budget.acquire(10).then((release) => (order.push('c'), release));
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual([]); // c fits, but waits behind b (no starvation of large images)
    expect(budget.inUse).toBe(60);
    a();
    const [releaseB, releaseC] = await Promise.all([b, c]);
    expect(order).toEqual(['b', 'c']);
    expect(budget.inUse).toBe(70);
    releaseB();
    releaseB(); // a second release is a no-op
    releaseC();
    expect(budget.inUse).toBe(0);
  });

  it('runs an image larger than the whole budget alone', async () => {
    const budget = new PixelBudget(100);
    const big = await budget.acquire(500);
    expect(budget.inUse).toBe(100);
    let small = false;
    const next = budget.acquire(1).then((release) => ((small = true), release));
    await new Promise((r) => setImmediate(r));
    expect(small).toBe(false);
    big();
    (await next)();
    expect(small).toBe(true);
  });
});
