import { RecentValue } from './recent-value';

describe('RecentValue', () => {
  it('computes once per period, shares it meanwhile, and computes again after it', async () => {
    let now = 0;
    let loads = 0;
    const value = new RecentValue(10_000, async () => ++loads, () => now);
    expect(await Promise.all([value.get(), value.get()])).toEqual([1, 1]);
    now = 9_999;
    expect(await value.get()).toBe(1);
    now = 10_000;
    expect(await value.get()).toBe(2);
    expect(loads).toBe(2);
  });

  it('does not keep a failure', async () => {
    let fail = true;
    const value = new RecentValue(10_000, async () => {
      if (fail) throw new Error('busy');
      return 'ok';
    }, () => 0);
    await expect(value.get()).rejects.toThrow('busy');
    fail = false;
    expect(await value.get()).toBe('ok');
  });
});
