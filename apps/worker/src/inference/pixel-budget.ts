/**
 * Decoded pixels a worker works on at once (WORKER_PIXEL_BUDGET). Decoding, the parse
 * masks and the overlay all scale with the image's pixels, so bounding pixels in flight
 * bounds the worker's memory: a job whose image does not fit waits (first come, first
 * served) instead of pushing the process past its memory limit. An image larger than the
 * whole budget runs alone.
 */
export class PixelBudget {
  private used = 0;
  private readonly waiting: { pixels: number; grant: () => void }[] = [];

  constructor(readonly capacity: number) {}

  get inUse(): number {
    return this.used;
  }

  /** Resolves once `pixels` are held; call the returned function exactly once to give them back. */
  async acquire(pixels: number): Promise<() => void> {
    const wanted = Math.min(pixels, this.capacity);
    if (this.waiting.length === 0 && this.used + wanted <= this.capacity) {
      this.used += wanted;
    } else {
      await new Promise<void>((grant) => this.waiting.push({ pixels: wanted, grant }));
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.used -= wanted;
      this.grantWaiting();
    };
  }

  private grantWaiting(): void {
    // FIFO: a large image at the head is not starved by small ones behind it.
    while (this.waiting.length > 0 && this.used + this.waiting[0].pixels <= this.capacity) {
      const next = this.waiting.shift()!;
      this.used += next.pixels;
      next.grant();
    }
  }
}
