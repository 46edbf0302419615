/**
 * The counter's offline store (issue 14, docs/offline.md): the device's id, its offline pack and
 * its queue of redemptions made while the network was down, kept in IndexedDB (idb-keyval) so
 * they survive a reload, a closed tab and a browser restart.
 *
 * The queue is the device's own record, in order: each entry keeps its Idempotency-Key and its
 * running number (`seq`) from the moment it was made, so sending it again — after a lost answer,
 * a reload, or twice from two tabs — never charges twice. Synced entries stay, with the server's
 * answer, until the device's next pack, because the pack's device cap counts them.
 */
import { createStore, get, set, update } from "idb-keyval";
import { ApiError, redemptions, shops, type OfflinePack, type OfflineReceipt } from "../../api";
import { newKey } from "../../ui/common";

const store = createStore("shuangfu-counter", "kv");
const deviceKey = "sf-counter-device";

/** How often the pack is fetched again while the counter is online. */
export const packRefreshMinutes = 5;

/** This device's id, made once and kept (the server checks every sync against it). */
export function deviceId(): string {
  let id = localStorage.getItem(deviceKey);
  if (!id || !/^[A-Za-z0-9_-]{4,40}$/.test(id)) {
    id = `t-${newKey().replace(/-/g, "").slice(0, 10)}`;
    localStorage.setItem(deviceKey, id);
  }
  return id;
}

export type QueueStatus = "pending" | "accepted" | "shortfall" | "refused";

export interface QueuedRedemption {
  key: string;
  seq: number;
  packId: string;
  deviceId: string;
  at: string;
  qr: string;
  cardNo: string;
  householdNo: string;
  headNameMasked: string;
  items: Array<{ goodsId: string; name: string; points: number; quantity: number }>;
  total: number;
  status: QueueStatus;
  /** The server's answer once synced. */
  receiptNo?: number;
  shortfall?: number;
  balanceAfter?: number;
  /**
   * The pack taken while this entry still waited (the probe that finds the network back takes
   * one before the queue drains): that pack's balances do not hold it, booked or not.
   */
  notInPack?: string;
  /** Why the server refused it, in its words. */
  error?: string;
  errorCode?: string;
}

export async function loadPack(shopId: string): Promise<OfflinePack | null> {
  return (await get<OfflinePack>(`pack:${shopId}`, store)) ?? null;
}

/** The queue and the device's last running number, kept together so one transaction changes both. */
interface QueueState {
  seq: number;
  entries: QueuedRedemption[];
}

const queueKey = (shopId: string) => `queue:${shopId}`;

function changeQueue(shopId: string, change: (state: QueueState) => QueueState) {
  return update<QueueState>(queueKey(shopId), (state) => change(state ?? { seq: 0, entries: [] }), store);
}

/**
 * A household's balance as the server answered it to this device's own online redemption: the
 * receipt's `balanceAfter`, its number (the community's receipts are numbered in the order they
 * are booked) and when it was booked (the server's clock, as the pack's `issuedAt`).
 */
export interface SeenBalance {
  householdNo: string;
  balance: number;
  receiptNo: number;
  at: string;
}

/** The latest balance seen online per household number. */
export type SeenBalances = Record<string, SeenBalance>;

const seenKey = (shopId: string) => `seen:${shopId}`;

export async function loadSeen(shopId: string): Promise<SeenBalances> {
  return (await get<SeenBalances>(seenKey(shopId), store)) ?? {};
}

/** Keeps the balance an online receipt answered, unless a later receipt of the household is kept already. */
export async function noteSeen(shopId: string, seen: SeenBalance): Promise<void> {
  await update<SeenBalances>(
    seenKey(shopId),
    (all) => {
      const kept = all?.[seen.householdNo];
      return kept && kept.receiptNo > seen.receiptNo ? (all ?? {}) : { ...all, [seen.householdNo]: seen };
    },
    store,
  );
}

/** Fetches a fresh pack and keeps it; entries of older packs that are done, and balances seen before it, leave. */
export async function refreshPack(shopId: string): Promise<OfflinePack> {
  const pack = await shops.offlinePack(shopId, deviceId());
  await set(`pack:${shopId}`, pack, store);
  await changeQueue(shopId, (s) => ({
    ...s,
    entries: s.entries.filter((q) => q.status === "pending" || q.packId === pack.packId).map((q) => (q.status === "pending" ? { ...q, notInPack: pack.packId } : q)),
  }));
  // The new pack's balances already hold every receipt booked before it: those seen balances are older news.
  await update<SeenBalances>(seenKey(shopId), (all) => Object.fromEntries(Object.entries(all ?? {}).filter(([, v]) => seenAfter(pack, v))), store);
  return pack;
}

function seenAfter(pack: OfflinePack, seen: { at: string }): boolean {
  return Date.parse(seen.at) >= Date.parse(pack.issuedAt);
}

export async function loadQueue(shopId: string): Promise<QueuedRedemption[]> {
  return (await get<QueueState>(queueKey(shopId), store))?.entries ?? [];
}

/** Adds a redemption made offline, with the next running number of this device (one transaction: two tabs never share one). */
export async function enqueue(shopId: string, entry: Omit<QueuedRedemption, "seq" | "status" | "key" | "deviceId">): Promise<QueuedRedemption> {
  const device = deviceId();
  let made: QueuedRedemption | undefined;
  await changeQueue(shopId, (s) => {
    const added: QueuedRedemption = { ...entry, seq: s.seq + 1, key: newKey(), deviceId: device, status: "pending" };
    made = added;
    return { seq: added.seq, entries: [...s.entries, added] };
  });
  if (!made) throw new Error("assertion failed: no queue entry made");
  return made;
}

async function record(shopId: string, key: string, change: Partial<QueuedRedemption>) {
  await changeQueue(shopId, (s) => ({ ...s, entries: s.entries.map((q) => (q.key === key ? { ...q, ...change } : q)) }));
}

/** Forgets the synced entries of older packs (pending ones always stay, and so do those the pack does not hold). */
export async function clearDone(shopId: string, packId: string | null) {
  await changeQueue(shopId, (s) => ({ ...s, entries: s.entries.filter((q) => q.status === "pending" || q.packId === packId || q.notInPack === packId) }));
}

/** Points this device spent against the pack (pending or synced): the device cap counts them all. */
export function spentOn(pack: OfflinePack, queue: QueuedRedemption[]): number {
  return queue.filter((q) => q.packId === pack.packId && q.status !== "refused").reduce((sum, q) => sum + q.total, 0);
}

/**
 * The balance the counter shows offline (docs/offline.md, "What the counter knows, and when"):
 * the latest balance the server told this device for the household since the pack was issued,
 * less what this device spent that the server has not booked yet.
 *
 * The server's word comes in three kinds, each true when it was said: the pack's balance (at
 * `issuedAt`), the `balanceAfter` of this device's own online receipts, and that of its synced
 * offline redemptions of this pack (booked after the pack, since they were made after it). Of
 * these the latest wins, by receipt number, which the server gives in the order it books. Every
 * receipt booked before it is in it, so only the redemptions still waiting in the queue are
 * taken off; a refreshed pack is newer than every receipt seen before it (those are dropped by
 * its `issuedAt`), so nothing is taken off twice. A redemption still waiting when a pack was
 * taken is booked after it, so its answer counts against that pack too (`notInPack`).
 */
export function balanceOffline(pack: OfflinePack, queue: QueuedRedemption[], seen: SeenBalances, cardNo: string): number {
  const card = pack.cards.find((c) => c.cardNo === cardNo);
  if (!card) return 0;
  const household = card.householdNo;
  let latest: { balance: number; receiptNo: number } | null = null;
  const online = seen[household];
  if (online && seenAfter(pack, online)) latest = online;
  const after = (q: QueuedRedemption) => q.packId === pack.packId || q.notInPack === pack.packId;
  for (const q of queue) {
    if (!after(q) || q.householdNo !== household || q.receiptNo === undefined || q.balanceAfter === undefined) continue;
    if (q.status !== "accepted" && q.status !== "shortfall") continue;
    if (!latest || q.receiptNo > latest.receiptNo) latest = { balance: q.balanceAfter, receiptNo: q.receiptNo };
  }
  // Waiting redemptions are in no server answer yet, whichever pack they were made against; a
  // synced one whose answer was not kept whole is counted as spent too (the safe side).
  const unanswered = (q: QueuedRedemption) => after(q) && q.status !== "refused" && (q.receiptNo === undefined || q.balanceAfter === undefined);
  const waiting = queue.filter((q) => q.householdNo === household && (q.status === "pending" || unanswered(q))).reduce((sum, q) => sum + q.total, 0);
  return Math.max((latest?.balance ?? card.balance) - waiting, 0);
}

/** The hex SHA-256 of the exact scanned text, as the pack lists cards. */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

export function packExpired(pack: OfflinePack, now = new Date()): boolean {
  return now.getTime() > Date.parse(pack.validUntil);
}

let draining: Promise<void> | null = null;

/**
 * Sends the pending entries in order, each with its own key. Stops at the first network failure
 * (they wait for the next try); a refusal is recorded with the server's reason and the next one
 * goes. `onEach` reports every answer as it comes.
 */
export function drain(shopId: string, onEach: (entry: QueuedRedemption) => void): Promise<void> {
  draining ??= (async () => {
    try {
      for (const entry of await loadQueue(shopId)) {
        if (entry.status !== "pending") continue;
        try {
          const answer: OfflineReceipt = await redemptions.create(entry.key, {
            qr: entry.qr,
            items: entry.items.map((i) => ({ goodsId: i.goodsId, quantity: i.quantity })),
            offline: { packId: entry.packId, deviceId: entry.deviceId, at: entry.at, seq: entry.seq },
          });
          const shortfall = answer.shortfall ?? 0;
          const change = { status: shortfall > 0 ? ("shortfall" as const) : ("accepted" as const), receiptNo: answer.receiptNo, shortfall, balanceAfter: answer.balanceAfter };
          await record(shopId, entry.key, change);
          onEach({ ...entry, ...change });
        } catch (error) {
          if (!(error instanceof ApiError) || error.status === 0 || error.status >= 500) throw error;
          const change = { status: "refused" as const, error: error.message, errorCode: error.code };
          await record(shopId, entry.key, change);
          onEach({ ...entry, ...change });
        }
      }
    } finally {
      draining = null;
    }
  })();
  return draining;
}
