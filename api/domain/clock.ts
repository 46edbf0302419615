import { v7 as uuidv7 } from "uuid";

/** Time is an argument, so tests can move it (publicity windows, lockouts, sessions). */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export function isoNow(clock: Clock): string {
  return clock.now().toISOString();
}

export function addHours(at: Date, hours: number): Date {
  return new Date(at.getTime() + hours * 3_600_000);
}

export function addMinutes(at: Date, minutes: number): Date {
  return new Date(at.getTime() + minutes * 60_000);
}

/**
 * Opaque, unguessable ids: UUIDv7 (RFC 9562), 74 random bits after the time in milliseconds,
 * increasing within a process. Time-ordered, each new row's key lands on the right edge of its
 * B-tree (transfers, redemptions, their indexes by id) instead of on a random page: a
 * redemption dirtied ~32 pages, each written to the WAL and fsynced, with v4's random keys
 * (docs/bench.md). The same on Node and Workers (Web Crypto's random values).
 */
export function newId(): string {
  return uuidv7();
}
