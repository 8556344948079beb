import { jobIdTime, newJobId } from './job-id';

describe('newJobId', () => {
  it('is a UUIDv7 that carries the time it was issued', () => {
    const at = Date.UTC(2026, 11, 2, 6, 0, 0, 123);
    const id = newJobId(at);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(jobIdTime(id)).toBe(at);
    expect(newJobId(at)).not.toBe(id);
  });

  it('finds no time in other ids', () => {
    expect(jobIdTime('3b241101-e2bb-4255-8caf-4136c566a962')).toBeUndefined(); // v4
    expect(jobIdTime('not-an-id')).toBeUndefined();
  });
});
