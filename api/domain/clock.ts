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

/** Opaque, unguessable ids (Web Crypto: the same on Node and Workers). */
export function newId(): string {
  return crypto.randomUUID();
}
