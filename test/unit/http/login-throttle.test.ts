import { describe, expect, it } from 'vitest';
import { LoginThrottle } from '../../../src/http/login-throttle.js';

const MINUTE = 60 * 1000;

function fakeClock(start = 1_700_000_000_000) {
  let t = start;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

/** A throttle of 3 failures in 15 minutes, on a clock the test moves. */
function setUp() {
  const clock = fakeClock();
  const throttle = new LoginThrottle(3, 15 * MINUTE, clock.now);
  return { clock, throttle };
}

const ip = 'ip:203.0.113.5';
const account = 'email:ana@example.org';

describe('slowing down password guessing', () => {
  it('a first attempt may go ahead', () => {
    const { throttle } = setUp();
    expect(throttle.retryAfterSeconds([ip, account])).toBe(0);
  });

  it('failures below the limit do not hold anyone back', () => {
    const { throttle } = setUp();
    throttle.fail([ip, account]);
    throttle.fail([ip, account]);
    expect(throttle.retryAfterSeconds([ip, account])).toBe(0);
  });

  it('reaching the limit refuses further attempts until the window has passed', () => {
    const { throttle } = setUp();
    for (let i = 0; i < 3; i++) throttle.fail([ip, account]);
    expect(throttle.retryAfterSeconds([ip, account])).toBe(15 * 60);
  });

  it('the wait counts down from the oldest failure in the window', () => {
    const { clock, throttle } = setUp();
    throttle.fail([ip]);
    clock.advance(5 * MINUTE);
    throttle.fail([ip]);
    throttle.fail([ip]);
    expect(throttle.retryAfterSeconds([ip])).toBe(10 * 60);
  });

  it('the wait is rounded up to whole seconds', () => {
    const { clock, throttle } = setUp();
    for (let i = 0; i < 3; i++) throttle.fail([ip]);
    clock.advance(15 * MINUTE - 1500);
    expect(throttle.retryAfterSeconds([ip])).toBe(2);
  });

  it('attempts are allowed again once the window has passed', () => {
    const { clock, throttle } = setUp();
    for (let i = 0; i < 3; i++) throttle.fail([ip]);
    clock.advance(15 * MINUTE);
    expect(throttle.retryAfterSeconds([ip])).toBe(0);
  });

  it('failures older than the window no longer count', () => {
    const { clock, throttle } = setUp();
    throttle.fail([ip]);
    throttle.fail([ip]);
    clock.advance(15 * MINUTE);
    throttle.fail([ip]);
    expect(throttle.retryAfterSeconds([ip])).toBe(0);
  });

  it('guessing one account from many addresses still locks that account', () => {
    const { throttle } = setUp();
    throttle.fail(['ip:198.51.100.1', account]);
    throttle.fail(['ip:198.51.100.2', account]);
    throttle.fail(['ip:198.51.100.3', account]);
    expect(throttle.retryAfterSeconds(['ip:198.51.100.4', account])).toBeGreaterThan(0);
  });

  it('guessing many accounts from one address still locks that address', () => {
    const { throttle } = setUp();
    throttle.fail([ip, 'email:a@example.org']);
    throttle.fail([ip, 'email:b@example.org']);
    throttle.fail([ip, 'email:c@example.org']);
    expect(throttle.retryAfterSeconds([ip, 'email:d@example.org'])).toBeGreaterThan(0);
  });

  it('a locked address does not lock other people out', () => {
    const { throttle } = setUp();
    for (let i = 0; i < 3; i++) throttle.fail([ip, account]);
    expect(throttle.retryAfterSeconds(['ip:198.51.100.9', 'email:ben@example.org'])).toBe(0);
  });

  it('the longest wait among the keys applies', () => {
    const { clock, throttle } = setUp();
    for (let i = 0; i < 3; i++) throttle.fail([ip]);
    clock.advance(10 * MINUTE);
    for (let i = 0; i < 3; i++) throttle.fail([account]);
    expect(throttle.retryAfterSeconds([ip, account])).toBe(15 * 60);
    expect(throttle.retryAfterSeconds([ip])).toBe(5 * 60);
  });

  it('a successful login clears the failures of its keys', () => {
    const { throttle } = setUp();
    throttle.fail([ip, account]);
    throttle.fail([ip, account]);
    throttle.succeed([ip, account]);
    throttle.fail([ip, account]);
    throttle.fail([ip, account]);
    expect(throttle.retryAfterSeconds([ip, account])).toBe(0);
  });

  it('by default allows 10 failures in 15 minutes', () => {
    const clock = fakeClock();
    const throttle = new LoginThrottle(undefined, undefined, clock.now);
    for (let i = 0; i < 9; i++) throttle.fail([ip]);
    expect(throttle.retryAfterSeconds([ip])).toBe(0);
    throttle.fail([ip]);
    expect(throttle.retryAfterSeconds([ip])).toBe(15 * 60);
  });
});
