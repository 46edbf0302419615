/**
 * 操作日志: who did what to which object, and when, in sentences the office reads ("陈店员（超市
 * 店员）作废了小票 — 小票 #12 · 户号 XXL-0101"), newest first, page by page. Each entry is two
 * lines that wrap (no table to scroll sideways); times are Beijing time whatever the computer's
 * zone. Filters: kind of action, who, and a range of days.
 */
import { createResource, createSignal, For, Show } from "solid-js";
import { limits } from "../../../../shared/limits";
import { audit, users, type AuditEntry, type AuditQuery } from "../../api";
import { currentLang, t } from "../../i18n";
import { ErrorBox } from "../../ui/common";
import { createCursorList, PagingFooter } from "../../ui/data-table";
import { Icon } from "../../ui/icon";
import { roleName } from "../../ui/role-gate";

/** The kinds of action the filter offers, each one or more patterns for `?action=`. */
const groups = [
  ["auth", "auth.*"],
  ["household", "household.*"],
  ["card", "card.*"],
  ["application", "application.*"],
  ["publicity", "publicity.*,objection.*"],
  ["topup", "topup.*"],
  ["redemption", "redemption.*"],
  ["goods", "goods.*,shop.*"],
  ["rule", "rule.*,notice.*"],
  ["user", "user.*"],
  ["settings", "settings.*"],
] as const;

type Args = Record<string, string | number>;

/** A time in Beijing time (the community's), not the office computer's zone. */
function chinaTime(iso: string): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  return at.toLocaleString(currentLang() === "en" ? "en-GB" : "zh-CN", { timeZone: "Asia/Shanghai", year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
}

/** The numbers and words in an entry's details, for its sentence ("第 3 次", "12 分"). */
function argsOf(details: Record<string, unknown> | null): Args {
  const args: Args = {};
  for (const [key, value] of Object.entries(details ?? {})) if (typeof value === "number" || typeof value === "string") args[key] = value;
  return args;
}

/** A dictionary entry by a key built at run time; undefined when the dictionary has none. */
function words(key: string, args: Args): string | undefined {
  const text: unknown = t(key as "auditLog.other", args);
  return typeof text === "string" && text ? text : undefined;
}

function who(row: AuditEntry): string {
  if (row.actor === "system" || row.actorRole === "system") return t("guard.system");
  if (row.actorRole === "resident") return t("auditLog.resident", { name: row.actorName ?? t("auditLog.unknown"), no: row.actorHouseholdNo ?? "?" });
  return t("auditLog.staff", { name: row.actorName ?? t("auditLog.unknown"), role: roleName(row.actorRole) });
}

function what(row: AuditEntry): string {
  return words(`auditLog.did.${row.action}`, argsOf(row.details)) ?? t("auditLog.other", { action: row.action });
}

function which(row: AuditEntry): string {
  const parts: string[] = [];
  if (row.targetLabel) {
    const label = row.targetType === "publicity" ? chinaTime(row.targetLabel) : row.targetLabel;
    parts.push(words(`auditLog.target.${row.targetType}`, { label }) ?? label);
  }
  if (row.householdNo && row.targetType !== "household") parts.push(t("auditLog.household", { no: row.householdNo }));
  return parts.join(" · ");
}

/** The second line: when, and the reason or note the action was given, and from where. */
function context(row: AuditEntry): string {
  const details = argsOf(row.details);
  const parts = [chinaTime(row.at)];
  if (typeof details.reason === "string" && details.reason) parts.push(t("auditLog.reason", { reason: details.reason }));
  if (typeof details.note === "string" && details.note) parts.push(t("auditLog.note", { note: details.note }));
  if (row.ip) parts.push(t("auditLog.from_ip", { ip: row.ip }));
  return parts.join(" · ");
}

export default function AuditPage() {
  const [filter, setFilter] = createSignal<AuditQuery>({});
  const list = createCursorList(filter, (query, cursor) => audit.list({ ...query, cursor, limit: String(limits.listLimitDefault) }));
  // The staff to pick from; without them the filter still offers everyone, residents and the system.
  const [staff] = createResource(() => users.list().catch(() => null));
  return (
    <>
      <h1>
        <Icon name="list" /> {t("admin.audit")}
      </h1>
      <p class="muted">{t("auditLog.hint")}</p>
      <ErrorBox error={list.error()} />
      <form
        class="row audit-filters"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          const data = new FormData(e.currentTarget);
          const text = (name: string) => String(data.get(name) ?? "").trim() || undefined;
          const person = text("who");
          setFilter({
            action: text("group"),
            actor: person?.startsWith("user:") || person === "system" ? person : undefined,
            actorRole: person === "role:resident" ? "resident" : undefined,
            from: text("from"),
            to: text("to"),
          });
        }}
      >
        <div>
          <label for="audit-group">{t("auditLog.group")}</label>
          <select id="audit-group" name="group">
            <option value="">{t("auditLog.all")}</option>
            <For each={groups}>{([key, patterns]) => <option value={patterns}>{t(`auditLog.groups.${key}`)}</option>}</For>
          </select>
        </div>
        <div>
          <label for="audit-who">{t("auditLog.who")}</label>
          <select id="audit-who" name="who">
            <option value="">{t("auditLog.all")}</option>
            <For each={staff.latest?.items ?? []}>{(user) => <option value={`user:${user.id}`}>{t("auditLog.staff", { name: user.name, role: roleName(user.role) })}</option>}</For>
            <option value="role:resident">{t("auditLog.residents")}</option>
            <option value="system">{t("guard.system")}</option>
          </select>
        </div>
        <div>
          <label for="audit-from">{t("auditLog.from")}</label>
          <input id="audit-from" name="from" type="date" />
        </div>
        <div>
          <label for="audit-to">{t("auditLog.to")}</label>
          <input id="audit-to" name="to" type="date" />
        </div>
        <button type="submit" style={{ flex: "none", "align-self": "flex-end" }} data-testid="audit-search">
          <Icon name="search" /> {t("auditLog.query")}
        </button>
      </form>
      <ol class="audit-rows" data-testid="audit" aria-label={t("admin.audit")}>
        <For each={list.items()}>
          {(row) => (
            <li data-testid="audit-row" data-action={row.action}>
              <div>
                <b>{who(row)}</b> {what(row)}
                <Show when={which(row)}>
                  {(target) => (
                    <>
                      {" — "}
                      <span class="audit-target">{target()}</span>
                    </>
                  )}
                </Show>
              </div>
              <div class="muted small">{context(row)}</div>
            </li>
          )}
        </For>
      </ol>
      <Show when={!list.items().length && !list.loading() && !list.error()}>
        <p class="muted">{t("table.empty")}</p>
      </Show>
      <PagingFooter shown={list.items().length} paging={list} testid="audit" />
    </>
  );
}
