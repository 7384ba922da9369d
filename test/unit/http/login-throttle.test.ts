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

/** A throttle of 3 attempts in 15 minutes, on a clock the test moves. */
function setUp(maxKeys?: number) {
  const clock = fakeClock();
  const throttle = new LoginThrottle(3, 15 * MINUTE, clock.now, maxKeys);
  /** A finished wrong guess. */
  const fail = (keys: string[]) => {
    const { attempt } = throttle.reserve(keys);
    if (!attempt) throw new Error('refused');
    attempt.fail();
  };
  const waitFor = (keys: string[]) => {
    const reservation = throttle.reserve(keys);
    reservation.attempt?.release();
    return reservation.retryAfterSeconds;
  };
  return { clock, throttle, fail, waitFor };
}

const ip = 'ip:203.0.113.5';
const account = 'email:ana@example.org';

describe('slowing down password guessing', () => {
  it('a first attempt may go ahead', () => {
    const { waitFor } = setUp();
    expect(waitFor([ip, account])).toBe(0);
  });

  it('failures below the limit do not hold anyone back', () => {
    const { fail, waitFor } = setUp();
    fail([ip, account]);
    fail([ip, account]);
    expect(waitFor([ip, account])).toBe(0);
  });

  it('reaching the limit refuses further attempts until the window has passed', () => {
    const { fail, waitFor } = setUp();
    for (let i = 0; i < 3; i++) fail([ip, account]);
    expect(waitFor([ip, account])).toBe(15 * 60);
  });

  it('attempts still being checked count: a parallel burst gets only the limit through', () => {
    const { throttle } = setUp();
    const reservations = Array.from({ length: 40 }, () => throttle.reserve([ip, account]));
    expect(reservations.filter((r) => r.attempt !== null)).toHaveLength(3);
    expect(reservations.filter((r) => r.attempt === null).every((r) => r.retryAfterSeconds > 0)).toBe(true);
  });

  it('an attempt that ends without a verdict gives its place back', () => {
    const { throttle, waitFor } = setUp();
    const held = [throttle.reserve([account]), throttle.reserve([account]), throttle.reserve([account])];
    expect(waitFor([account])).toBeGreaterThan(0);
    held[0]!.attempt!.release();
    expect(waitFor([account])).toBe(0);
  });

  it('the wait counts down from the oldest failure in the window', () => {
    const { clock, fail, waitFor } = setUp();
    fail([ip]);
    clock.advance(5 * MINUTE);
    fail([ip]);
    fail([ip]);
    expect(waitFor([ip])).toBe(10 * 60);
  });

  it('the wait is rounded up to whole seconds', () => {
    const { clock, fail, waitFor } = setUp();
    for (let i = 0; i < 3; i++) fail([ip]);
    clock.advance(15 * MINUTE - 1500);
    expect(waitFor([ip])).toBe(2);
  });

  it('attempts are allowed again once the window has passed', () => {
    const { clock, fail, waitFor } = setUp();
    for (let i = 0; i < 3; i++) fail([ip]);
    clock.advance(15 * MINUTE);
    expect(waitFor([ip])).toBe(0);
  });

  it('failures older than the window no longer count', () => {
    const { clock, fail, waitFor } = setUp();
    fail([ip]);
    fail([ip]);
    clock.advance(15 * MINUTE);
    fail([ip]);
    expect(waitFor([ip])).toBe(0);
  });

  it('guessing one account from many addresses still locks that account', () => {
    const { fail, waitFor } = setUp();
    fail(['ip:198.51.100.1', account]);
    fail(['ip:198.51.100.2', account]);
    fail(['ip:198.51.100.3', account]);
    expect(waitFor(['ip:198.51.100.4', account])).toBeGreaterThan(0);
  });

  it('guessing many accounts from one address still locks that address', () => {
    const { fail, waitFor } = setUp();
    fail([ip, 'email:a@example.org']);
    fail([ip, 'email:b@example.org']);
    fail([ip, 'email:c@example.org']);
    expect(waitFor([ip, 'email:d@example.org'])).toBeGreaterThan(0);
  });

  it('a locked address does not lock other people out', () => {
    const { fail, waitFor } = setUp();
    for (let i = 0; i < 3; i++) fail([ip, account]);
    expect(waitFor(['ip:198.51.100.9', 'email:ben@example.org'])).toBe(0);
  });

  it('the longest wait among the keys applies', () => {
    const { clock, fail, waitFor } = setUp();
    for (let i = 0; i < 3; i++) fail([ip]);
    clock.advance(10 * MINUTE);
    for (let i = 0; i < 3; i++) fail([account]);
    expect(waitFor([ip, account])).toBe(15 * 60);
    expect(waitFor([ip])).toBe(5 * 60);
  });

  it("a successful login clears the account's failures", () => {
    const { throttle, fail, waitFor } = setUp();
    fail(['ip:198.51.100.1', account]);
    fail(['ip:198.51.100.2', account]);
    throttle.reserve(['ip:198.51.100.3', account]).attempt!.succeed([account]);
    fail(['ip:198.51.100.4', account]);
    fail(['ip:198.51.100.5', account]);
    expect(waitFor(['ip:198.51.100.6', account])).toBe(0);
  });

  it("a successful login to one's own account does not clear the address's failures", () => {
    const { throttle, fail, waitFor } = setUp();
    fail([ip, 'email:a@example.org']);
    fail([ip, 'email:b@example.org']);
    throttle.reserve([ip, 'email:mine@example.org']).attempt!.succeed(['email:mine@example.org']);
    fail([ip, 'email:c@example.org']);
    expect(waitFor([ip, 'email:d@example.org'])).toBeGreaterThan(0);
  });

  it('settling an attempt twice counts once', () => {
    const { throttle, waitFor } = setUp();
    const { attempt } = throttle.reserve([account]);
    attempt!.fail();
    attempt!.release();
    throttle.reserve([account]).attempt!.fail();
    throttle.reserve([account]).attempt!.fail();
    expect(waitFor([account])).toBeGreaterThan(0);
  });

  it('refused attempts remember nothing new', () => {
    const { throttle, fail } = setUp();
    for (let i = 0; i < 3; i++) fail([ip]);
    const before = throttle.size;
    for (let i = 0; i < 20_000; i++) throttle.reserve([ip, `email:user${i}@example.org`]);
    expect(throttle.size).toBe(before);
  });

  it('memory stays bounded: past the cap a key that is not locked out is forgotten', () => {
    const { throttle, fail, waitFor } = setUp(100);
    fail([account]);
    for (let i = 0; i < 20_000; i++) fail([`ip:10.0.${i >> 8}.${i & 255}`]);
    expect(throttle.size).toBeLessThanOrEqual(100);
    fail([account]);
    fail([account]);
    expect(waitFor([account])).toBe(0);
  });

  it('at the cap a locked-out account keeps its count', () => {
    const { throttle, fail, waitFor } = setUp(100);
    for (let i = 0; i < 3; i++) fail([account]);
    for (let i = 0; i < 20_000; i++) fail([`ip:10.0.${i >> 8}.${i & 255}`]);
    expect(throttle.size).toBeLessThanOrEqual(100);
    expect(waitFor([account])).toBeGreaterThan(0);
  });

  it('when every key is locked out the least recently touched goes', () => {
    const { throttle, fail } = setUp(2);
    for (let i = 0; i < 3; i++) fail(['ip:a']);
    for (let i = 0; i < 3; i++) fail(['ip:b']);
    fail(['ip:c']);
    expect(throttle.size).toBe(2);
    expect(throttle.reserve(['ip:a']).retryAfterSeconds).toBe(0);
  });

  it('keys whose attempts left the window are forgotten', () => {
    const { clock, throttle, fail } = setUp();
    for (let i = 0; i < 500; i++) fail([`ip:198.51.100.${i}`]);
    expect(throttle.size).toBe(500);
    clock.advance(15 * MINUTE + 1);
    fail([ip]);
    expect(throttle.size).toBe(1);
  });

  it('by default allows 10 attempts in 15 minutes', () => {
    const clock = fakeClock();
    const throttle = new LoginThrottle(undefined, undefined, clock.now);
    for (let i = 0; i < 9; i++) throttle.reserve([ip]).attempt!.fail();
    const tenth = throttle.reserve([ip]);
    expect(tenth.retryAfterSeconds).toBe(0);
    tenth.attempt!.fail();
    expect(throttle.reserve([ip]).retryAfterSeconds).toBe(15 * 60);
  });
});
