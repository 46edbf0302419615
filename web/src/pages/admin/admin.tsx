/**
 * The station office (admin, desktop first): dashboard, households and cards, rules, notices,
 * publicity, top-ups, goods and stock, staff, settings, audit log. This whole area is one lazy
 * chunk; the dashboard's charts are a second one.
 */
import { A, useNavigate, useParams, useSearchParams } from "@solidjs/router";
import { createResource, createSignal, For, lazy, Show, Suspense, type JSX } from "solid-js";
import { Dynamic } from "solid-js/web";
import { carriers, categories } from "../../../../shared/domain";
import { limits } from "../../../../shared/limits";
import {
  ApiError,
  audit,
  cards,
  goods,
  households,
  notices,
  publicity,
  reports,
  rules,
  settings,
  shops,
  topups,
  users,
  type Household,
  type Publicity,
  type TopUp,
} from "../../api";
import { categoryName, fmtDate, fmtPoints, t } from "../../i18n";
import { createAction, ErrorBox, Loading, Success } from "../../ui/common";
import { useStaffRole } from "../../ui/guard";
import { Icon, type IconName } from "../../ui/icon";

const BarChart = lazy(() => import("./charts"));

const sections: { path: string; icon: IconName; key: string; page: () => JSX.Element }[] = [
  { path: "", icon: "chart", key: "dashboard", page: Dashboard },
  { path: "households", icon: "home", key: "households", page: HouseholdsPage },
  { path: "rules", icon: "file", key: "rules", page: RulesPage },
  { path: "notices", icon: "bell", key: "notices", page: NoticesPage },
  { path: "publicity", icon: "flag", key: "publicity", page: PublicityPage },
  { path: "topups", icon: "trend", key: "topups", page: TopupsPage },
  { path: "goods", icon: "gift", key: "goods", page: GoodsPage },
  { path: "users", icon: "users", key: "users", page: UsersPage },
  { path: "settings", icon: "settings", key: "settings", page: SettingsPage },
  { path: "audit", icon: "list", key: "audit", page: AuditPage },
];

export default function Admin() {
  const user = useStaffRole("admin");
  const params = useParams();
  const section = () => (params.section ?? "").split("/")[0];
  const page = () => (section() === "cards" ? CardSheet : sections.find((s) => s.path === section())?.page ?? Dashboard);
  return (
    <Show when={user()} fallback={<Loading />}>
      <div class="admin">
        <nav aria-label={t("admin.nav")}>
          <For each={sections}>
            {(s) => (
              <A href={`/admin/${s.path}`} end>
                <Icon name={s.icon} size={20} />
                {t(`admin.${s.key}` as "admin.dashboard")}
              </A>
            )}
          </For>
        </nav>
        <div>
          <Dynamic component={page()} />
        </div>
      </div>
    </Show>
  );
}

function Stat(props: { label: string; value: string | number; testid?: string }) {
  return (
    <div class="stat">
      <span class="muted small">{props.label}</span>
      <b data-testid={props.testid}>{props.value}</b>
    </div>
  );
}

function Dashboard() {
  const [summary] = createResource(() => reports.summary());
  const [ranking] = createResource(() => reports.ranking().catch(() => null));
  return (
    <>
      <h1>
        <Icon name="chart" /> {t("admin.dashboard")}
      </h1>
      <ErrorBox error={summary.error} />
      <Show when={summary()} fallback={<Show when={!summary.error}><Loading /></Show>}>
        {(s) => (
          <>
            <div class="stats" data-testid="summary">
              <Stat label={t("dash.households")} value={fmtPoints(s().households)} />
              <Stat label={t("dash.participation")} value={`${(s().participationRate * 100).toFixed(1)}%`} />
              <Stat label={t("dash.awarded")} value={fmtPoints(s().pointsAwarded)} testid="points-awarded" />
              <Stat label={t("dash.deducted")} value={fmtPoints(s().pointsDeducted)} />
              <Stat label={t("dash.redeemed")} value={fmtPoints(s().pointsRedeemed)} />
              <Stat label={t("dash.outstanding")} value={fmtPoints(s().pointsOutstanding)} />
            </div>
            <Suspense fallback={<Loading />}>
              <BarChart title={t("dash.byCategory")} bars={[...carriers].map((c) => ({ label: categoryName(c), value: s().byCategory.find((b) => b.category === c)?.points ?? 0 }))} />
              <Show when={ranking()?.items.length}>
                <BarChart
                  title={t("dash.ranking")}
                  color="#8a5a00"
                  bars={ranking()!.items.slice(0, 10).map((r) => ({ label: `${r.rank}. ${r.name ?? r.headName ?? r.householdNo ?? ""}`, value: r.score }))}
                />
              </Show>
            </Suspense>
          </>
        )}
      </Show>
    </>
  );
}

function Field(props: { id: string; label: string; children: JSX.Element }) {
  return (
    <div>
      <label for={props.id}>{props.label}</label>
      {props.children}
    </div>
  );
}

function HouseholdsPage() {
  const navigate = useNavigate();
  const [q, setQ] = createSignal("");
  const [list, { refetch }] = createResource(q, (query) => households.list(query || undefined, undefined, "200"), { initialValue: undefined as never });
  const [picked, setPicked] = createSignal<Set<string>>(new Set());
  const [editing, setEditing] = createSignal<Household | null>(null);
  const [notice, setNotice] = createSignal<string | null>(null);
  const [form, setForm] = createSignal({ householdNo: "", headName: "", building: "", unit: "", room: "", phone: "", members: "" });
  const upd = (k: keyof ReturnType<typeof form>) => (e: { currentTarget: HTMLInputElement | HTMLTextAreaElement }) => setForm({ ...form(), [k]: e.currentTarget.value });
  const save = createAction(async () => {
    const f = form();
    const members = f.members.split(/[、,，;\n]/).map((m) => m.trim()).filter(Boolean).map((name) => ({ name }));
    const body = { headName: f.headName, building: f.building, unit: f.unit || null, room: f.room || null, phone: f.phone || null };
    if (editing()) await households.update(editing()!.id, { ...body, ...(members.length ? { addMembers: members } : {}) });
    else await households.create({ ...body, householdNo: f.householdNo, members: members.length ? members : [{ name: f.headName, relation: "户主" }] });
    setNotice(t("hh.saved", { name: f.headName }));
    setEditing(null);
    setForm({ householdNo: "", headName: "", building: "", unit: "", room: "", phone: "", members: "" });
    await refetch();
  });
  const [file, setFile] = createSignal<File | null>(null);
  const importAction = createAction(async () => {
    const result = await households.import(file()!);
    setNotice(t("hh.imported", { n: result.imported }));
    await refetch();
  });
  const importRows = () => {
    const err = importAction.error();
    return err instanceof ApiError ? ((err.details.rows as { line: number; field: string; column?: string; problem: string }[] | undefined) ?? []) : [];
  };
  const [pins, setPins] = createSignal<Record<string, string>>({});
  const issue = createAction(async (h: Household) => {
    const result = await households.issueCard(h.id, pins()[h.id] ?? "");
    setNotice(t("hh.cardIssued", { no: result.cardNo, name: h.headName }));
    await refetch();
  });
  const revoke = createAction(async (h: Household) => {
    if (!h.card || !confirm(t("hh.revokeConfirm", { no: h.card.cardNo }))) return;
    await cards.revoke(h.card.cardNo);
    setNotice(t("hh.revoked", { no: h.card.cardNo }));
    await refetch();
  });
  function edit(h: Household) {
    setEditing(h);
    setForm({ householdNo: h.householdNo, headName: h.headName, building: h.building, unit: h.unit ?? "", room: h.room ?? "", phone: h.phone ?? "", members: "" });
  }
  return (
    <>
      <h1>
        <Icon name="home" /> {t("admin.households")}
      </h1>
      <Show when={notice()}>
        <Success>{notice()}</Success>
      </Show>
      <form
        class="row"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setQ(new FormData(e.currentTarget).get("q") as string);
        }}
      >
        <label for="hh-q" class="sr-only">
          {t("common.search")}
        </label>
        <input id="hh-q" name="q" placeholder={t("hh.searchHint")} maxlength={limits.searchLengthMax} />
        <button type="submit" style={{ flex: "none" }}>
          <Icon name="search" /> {t("common.search")}
        </button>
        <button
          type="button"
          class="secondary"
          style={{ flex: "none" }}
          disabled={!picked().size}
          onClick={() => navigate(`/admin/cards?ids=${[...picked()].join(",")}`)}
          data-testid="print-cards"
        >
          <Icon name="printer" /> {t("hh.printCards", { n: picked().size })}
        </button>
      </form>
      <ErrorBox error={list.error ?? issue.error() ?? revoke.error()} />
      <div class="table-wrap" style={{ "margin-top": "12px" }}>
        <table data-testid="households">
          <thead>
            <tr>
              <th scope="col">
                <span class="sr-only">{t("hh.pick")}</span>
              </th>
              <th scope="col">{t("hh.no")}</th>
              <th scope="col">{t("hh.head")}</th>
              <th scope="col">{t("hh.building")}</th>
              <th scope="col">{t("home.balance")}</th>
              <th scope="col">{t("hh.card")}</th>
              <th scope="col">{t("hh.actions")}</th>
            </tr>
          </thead>
          <tbody>
            <For each={list()?.items ?? []}>
              {(h) => (
                <tr>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={t("hh.pickOne", { name: h.headName })}
                      disabled={h.card?.status !== "active"}
                      checked={picked().has(h.id)}
                      onChange={(e) => {
                        const next = new Set(picked());
                        e.currentTarget.checked ? next.add(h.id) : next.delete(h.id);
                        setPicked(next);
                      }}
                    />
                  </td>
                  <td>{h.householdNo}</td>
                  <td>{h.headName}</td>
                  <td>
                    {h.building} {h.unit ?? ""} {h.room ?? ""}
                  </td>
                  <td>{fmtPoints(h.balance)}</td>
                  <td>
                    <Show when={h.card} fallback={<span class="muted">{t("common.none")}</span>}>
                      {h.card!.cardNo} <span class={`badge ${h.card!.status === "active" ? "ok" : "bad"}`}>{t(`hh.card_${h.card!.status}` as "hh.card_active")}</span>
                    </Show>
                  </td>
                  <td>
                    <div class="row" style={{ gap: "6px" }}>
                      <label class="sr-only" for={`pin-${h.id}`}>
                        {t("hh.pin")}
                      </label>
                      <input
                        id={`pin-${h.id}`}
                        style={{ width: "90px", flex: "none" }}
                        inputmode="numeric"
                        placeholder={t("hh.pin")}
                        maxlength={limits.pinDigitsMax}
                        value={pins()[h.id] ?? ""}
                        onInput={(e) => setPins({ ...pins(), [h.id]: e.currentTarget.value })}
                      />
                      <button class="secondary" style={{ flex: "none" }} disabled={!/^\d{4,6}$/.test(pins()[h.id] ?? "")} onClick={() => void issue.run(h)} data-testid="issue-card">
                        <Icon name="card" /> {h.card ? t("hh.reissue") : t("hh.issue")}
                      </button>
                      <Show when={h.card?.status === "active"}>
                        <button class="plain" style={{ flex: "none" }} onClick={() => void revoke.run(h)}>
                          <Icon name="x" /> {t("hh.revoke")}
                        </button>
                      </Show>
                      <button class="plain" style={{ flex: "none" }} onClick={() => edit(h)}>
                        <Icon name="file" /> {t("hh.edit")}
                      </button>
                    </div>
                  </td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </div>

      <section class="panel">
        <h2 style={{ "margin-top": 0 }}>
          <Icon name={editing() ? "file" : "plus"} /> {editing() ? t("hh.editTitle", { no: editing()!.householdNo }) : t("hh.add")}
        </h2>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void save.run();
          }}
        >
          <div class="row">
            <Show when={!editing()}>
              <Field id="f-no" label={t("hh.no")}>
                <input id="f-no" required value={form().householdNo} onInput={upd("householdNo")} />
              </Field>
            </Show>
            <Field id="f-head" label={t("hh.head")}>
              <input id="f-head" required value={form().headName} onInput={upd("headName")} />
            </Field>
            <Field id="f-building" label={t("hh.building")}>
              <input id="f-building" required value={form().building} onInput={upd("building")} />
            </Field>
          </div>
          <div class="row">
            <Field id="f-unit" label={t("hh.unit")}>
              <input id="f-unit" value={form().unit} onInput={upd("unit")} />
            </Field>
            <Field id="f-room" label={t("hh.room")}>
              <input id="f-room" value={form().room} onInput={upd("room")} />
            </Field>
            <Field id="f-phone" label={t("hh.phone")}>
              <input id="f-phone" type="tel" value={form().phone} onInput={upd("phone")} />
            </Field>
          </div>
          <Field id="f-members" label={editing() ? t("hh.addMembers") : t("hh.members")}>
            <input id="f-members" value={form().members} placeholder="张三、李四" onInput={upd("members")} />
          </Field>
          <ErrorBox error={save.error()} />
          <div class="row" style={{ "margin-top": "12px" }}>
            <button type="submit" disabled={save.busy()} data-testid="save-household">
              <Icon name="check" /> {t("common.save")}
            </button>
            <Show when={editing()}>
              <button type="button" class="plain" onClick={() => setEditing(null)}>
                {t("common.cancel")}
              </button>
            </Show>
          </div>
        </form>
      </section>

      <section class="panel">
        <h2 style={{ "margin-top": 0 }}>
          <Icon name="upload" /> {t("hh.import")}
        </h2>
        <p class="muted small">{t("hh.importHint")}</p>
        <div class="row">
          <a class="btn plain" href={households.templateUrl("csv")} download="">
            <Icon name="download" /> {t("hh.templateCsv")}
          </a>
          <a class="btn plain" href={households.templateUrl("xlsx")} download="">
            <Icon name="download" /> {t("hh.templateXlsx")}
          </a>
        </div>
        <label for="import-file">{t("hh.importFile")}</label>
        <input id="import-file" type="file" accept=".csv,.xlsx,text/csv" onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)} />
        <button style={{ "margin-top": "10px" }} disabled={!file() || importAction.busy()} onClick={() => void importAction.run()} data-testid="import">
          <Icon name="upload" /> {t("hh.importGo")}
        </button>
        <ErrorBox error={importAction.error()} />
        <Show when={importRows().length}>
          <div class="table-wrap">
            <table data-testid="import-errors">
              <thead>
                <tr>
                  <th scope="col">{t("hh.line")}</th>
                  <th scope="col">{t("hh.column")}</th>
                  <th scope="col">{t("hh.problem")}</th>
                </tr>
              </thead>
              <tbody>
                <For each={importRows()}>
                  {(r) => (
                    <tr>
                      <td>{r.line}</td>
                      <td>{r.column ?? r.field}</td>
                      <td>{r.problem}</td>
                    </tr>
                  )}
                </For>
              </tbody>
            </table>
          </div>
        </Show>
      </section>
    </>
  );
}

/** A4 sheet of cards to cut out: QR, 户号, 户主, building and room; corner cut marks. */
function CardSheet() {
  // The router's search params, not window.location: navigating here from the households page
  // renders this page before the browser's address changes.
  const [search] = useSearchParams();
  const ids = () => (typeof search.ids === "string" ? search.ids : "");
  const [list] = createResource(ids, (text) => Promise.all(text.split(",").filter(Boolean).map((id) => households.get(id))));
  return (
    <>
      <style>{"@media print { @page { size: A4; margin: 10mm; } .admin { display: block; } }"}</style>
      <div class="no-print">
        <h1>
          <Icon name="printer" /> {t("cards.title")}
        </h1>
        <p class="muted">{t("cards.hint")}</p>
        <button onClick={() => window.print()}>
          <Icon name="printer" /> {t("cards.print")}
        </button>
      </div>
      <ErrorBox error={list.error} />
      <div class="sheet" data-testid="card-sheet" style={{ "margin-top": "12px" }}>
        <For each={(list() ?? []).filter((h) => h.card?.status === "active")}>
          {(h) => (
            <div class="idcard">
              <img src={cards.qrUrl(h.card!.cardNo)} alt={t("home.qrAlt", { no: h.card!.cardNo })} />
              <div>
                <div class="t">{t("cards.heading")}</div>
                <div>
                  {t("hh.no")}：{h.householdNo}
                </div>
                <div>
                  {t("hh.head")}：{h.headName}
                </div>
                <div>
                  {h.building} {h.unit ?? ""} {h.room ?? ""}
                </div>
                <div class="small">
                  {t("login.cardNo")}：{h.card!.cardNo}
                </div>
              </div>
            </div>
          )}
        </For>
      </div>
    </>
  );
}

function RulesPage() {
  const [list, { refetch }] = createResource(() => rules.list());
  const [form, setForm] = createSignal({ category: "environment", title: "", kind: "award", minPoints: 1, maxPoints: 5 });
  const create = createAction(async () => {
    const f = form();
    await rules.create({ ...f, category: f.category as never, kind: f.kind as never, minPoints: Number(f.minPoints), maxPoints: Number(f.maxPoints) });
    setForm({ ...form(), title: "" });
    await refetch();
  });
  return (
    <>
      <h1>
        <Icon name="file" /> {t("admin.rules")}
      </h1>
      <ErrorBox error={list.error} />
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">{t("rules.category")}</th>
              <th scope="col">{t("rules.title")}</th>
              <th scope="col">{t("rules.kind")}</th>
              <th scope="col">{t("rules.range")}</th>
            </tr>
          </thead>
          <tbody>
            <For each={list()?.items ?? []}>
              {(r) => (
                <tr>
                  <td>{categoryName(r.category)}</td>
                  <td>{r.title}</td>
                  <td>{t(`rules.${r.kind}` as "rules.award")}</td>
                  <td>
                    {r.minPoints}–{r.maxPoints}
                  </td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </div>
      <form
        class="panel"
        onSubmit={(e) => {
          e.preventDefault();
          void create.run();
        }}
      >
        <h2 style={{ "margin-top": 0 }}>{t("rules.add")}</h2>
        <div class="row">
          <Field id="r-cat" label={t("rules.category")}>
            <select id="r-cat" value={form().category} onChange={(e) => setForm({ ...form(), category: e.currentTarget.value })}>
              <For each={[...categories]}>{(c) => <option value={c}>{categoryName(c)}</option>}</For>
            </select>
          </Field>
          <Field id="r-kind" label={t("rules.kind")}>
            <select id="r-kind" value={form().kind} onChange={(e) => setForm({ ...form(), kind: e.currentTarget.value })}>
              <option value="award">{t("rules.award")}</option>
              <option value="penalty">{t("rules.penalty")}</option>
            </select>
          </Field>
        </div>
        <Field id="r-title" label={t("rules.title")}>
          <input id="r-title" required maxlength={limits.titleLengthMax} value={form().title} onInput={(e) => setForm({ ...form(), title: e.currentTarget.value })} />
        </Field>
        <div class="row">
          <Field id="r-min" label={t("rules.min")}>
            <input id="r-min" type="number" min="1" value={form().minPoints} onInput={(e) => setForm({ ...form(), minPoints: Number(e.currentTarget.value) })} />
          </Field>
          <Field id="r-max" label={t("rules.max")}>
            <input id="r-max" type="number" min="1" value={form().maxPoints} onInput={(e) => setForm({ ...form(), maxPoints: Number(e.currentTarget.value) })} />
          </Field>
        </div>
        <ErrorBox error={create.error()} />
        <button type="submit" style={{ "margin-top": "12px" }} disabled={create.busy()}>
          <Icon name="plus" /> {t("rules.add")}
        </button>
      </form>
    </>
  );
}

function NoticesPage() {
  const [list, { refetch }] = createResource(() => notices.list());
  const [ruleList] = createResource(() => rules.list());
  const [title, setTitle] = createSignal("");
  const [body, setBody] = createSignal("");
  const [ruleIds, setRuleIds] = createSignal<string[]>([]);
  const create = createAction(async () => {
    await notices.create({ title: title().trim(), body: body().trim(), ruleIds: ruleIds().length ? ruleIds() : undefined });
    setTitle("");
    setBody("");
    setRuleIds([]);
    await refetch();
  });
  const publish = createAction(async (id: string) => {
    await notices.publish(id);
    await refetch();
  });
  return (
    <>
      <h1>
        <Icon name="bell" /> {t("admin.notices")}
      </h1>
      <ErrorBox error={list.error ?? publish.error()} />
      <ul class="list">
        <For each={list()?.items ?? []}>
          {(n) => (
            <li>
              <div class="item-head">
                <strong>{n.title}</strong>
                <Show
                  when={n.publishedAt || n.status === "published"}
                  fallback={
                    <button class="secondary" onClick={() => void publish.run(n.id)} data-testid="publish">
                      <Icon name="bell" /> {t("notices.publish")}
                    </button>
                  }
                >
                  <span class="badge ok">{t("notices.published")}</span>
                </Show>
              </div>
              <div class="small muted" style={{ "white-space": "pre-wrap" }}>
                {n.body}
              </div>
            </li>
          )}
        </For>
      </ul>
      <form
        class="panel"
        onSubmit={(e) => {
          e.preventDefault();
          void create.run();
        }}
      >
        <h2 style={{ "margin-top": 0 }}>{t("notices.add")}</h2>
        <Field id="n-title" label={t("notices.titleField")}>
          <input id="n-title" required value={title()} onInput={(e) => setTitle(e.currentTarget.value)} />
        </Field>
        <Field id="n-body" label={t("notices.body")}>
          <textarea id="n-body" required value={body()} onInput={(e) => setBody(e.currentTarget.value)} />
        </Field>
        <fieldset style={{ border: "0", padding: "0", margin: "12px 0 0" }}>
          <legend style={{ "font-weight": 600 }}>{t("notices.rules")}</legend>
          <For each={ruleList()?.items ?? []}>
            {(r) => (
              <label style={{ display: "flex", gap: "8px", "align-items": "center", "font-weight": 400, margin: "4px 0" }}>
                <input
                  type="checkbox"
                  style={{ width: "28px", flex: "none" }}
                  checked={ruleIds().includes(r.id)}
                  onChange={(e) => setRuleIds(e.currentTarget.checked ? [...ruleIds(), r.id] : ruleIds().filter((x) => x !== r.id))}
                />
                {categoryName(r.category)} · {r.title}
              </label>
            )}
          </For>
        </fieldset>
        <ErrorBox error={create.error()} />
        <button type="submit" style={{ "margin-top": "12px" }} disabled={create.busy()}>
          <Icon name="plus" /> {t("notices.add")}
        </button>
      </form>
    </>
  );
}

async function currentOrNull(): Promise<Publicity | null> {
  try {
    return await publicity.current();
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return null;
    throw err;
  }
}

function PublicityPage() {
  const [current, { refetch }] = createResource(currentOrNull);
  const [endsAt, setEndsAt] = createSignal("");
  const create = createAction(async () => {
    await publicity.create(endsAt() ? new Date(endsAt()).toISOString() : undefined);
    await refetch();
  });
  return (
    <>
      <style>{"@media print { @page { size: A4; margin: 12mm; } body { font-size: 14pt; } }"}</style>
      <h1>
        <Icon name="flag" /> {t("admin.publicity")}
      </h1>
      <form
        class="panel no-print"
        onSubmit={(e) => {
          e.preventDefault();
          void create.run();
        }}
      >
        <p class="muted" style={{ "margin-top": 0 }}>
          {t("pub.hint")}
        </p>
        <Field id="p-ends" label={t("pub.endsAt")}>
          <input id="p-ends" type="datetime-local" value={endsAt()} onInput={(e) => setEndsAt(e.currentTarget.value)} />
        </Field>
        <ErrorBox error={create.error()} />
        <button type="submit" style={{ "margin-top": "12px" }} disabled={create.busy()} data-testid="create-publicity">
          <Icon name="flag" /> {t("pub.create")}
        </button>
      </form>
      <ErrorBox error={current.error} />
      <Show when={current()}>
        {(b) => (
          <section class="panel" data-testid="publicity-board">
            <div class="item-head">
              <h2 style={{ margin: 0 }}>
                {t("pub.boardTitle")} · {t("board.period", { from: fmtDate(b().startsAt, true), to: fmtDate(b().endsAt, true) })}
              </h2>
              <button class="secondary no-print" onClick={() => window.print()}>
                <Icon name="printer" /> {t("pub.print")}
              </button>
            </div>
            <table style={{ "margin-top": "10px" }}>
              <thead>
                <tr>
                  <th scope="col">{t("pub.name")}</th>
                  <th scope="col">{t("hh.building")}</th>
                  <th scope="col">{t("rules.category")}</th>
                  <th scope="col">{t("rules.title")}</th>
                  <th scope="col">{t("pub.points")}</th>
                </tr>
              </thead>
              <tbody>
                <For each={b().items}>
                  {(i) => (
                    <tr>
                      <td>{i.name}</td>
                      <td>{i.building}</td>
                      <td>{categoryName(i.category)}</td>
                      <td>{i.rule}</td>
                      <td>{i.points}</td>
                    </tr>
                  )}
                </For>
              </tbody>
            </table>
            <p class="small">{t("board.howToObjectText")}</p>
          </section>
        )}
      </Show>
    </>
  );
}

function TopupsPage() {
  const [current] = createResource(currentOrNull);
  const [past, { refetch }] = createResource(() => publicity.list().catch(() => null));
  const [done, setDone] = createSignal<TopUp | null>(null);
  const batches = () => {
    const all = [...(past()?.items ?? [])];
    if (current() && !all.some((b) => b.id === current()!.id)) all.unshift(current()!);
    return all;
  };
  const run = createAction(async (id: string) => {
    setDone(await topups.create(id));
    await refetch();
  });
  return (
    <>
      <h1>
        <Icon name="trend" /> {t("admin.topups")}
      </h1>
      <p class="muted">{t("topup.hint")}</p>
      <Show when={done()}>
        <Success>{t("topup.done", { credited: done()!.credited, points: done()!.points, deducted: done()!.deducted, held: done()!.heldBack })}</Success>
      </Show>
      <ErrorBox error={run.error()} />
      <ul class="list">
        <For each={batches()} fallback={<li class="muted">{t("common.none")}</li>}>
          {(b) => (
            <li class="item-head">
              <span>
                {t("board.period", { from: fmtDate(b.startsAt, true), to: fmtDate(b.endsAt, true) })} · {t("board.count", { n: b.items?.length ?? 0 })}
              </span>
              <Show
                when={b.status === "closed"}
                fallback={<span class="badge warn">{t("topup.open")}</span>}
              >
                <button disabled={run.busy()} onClick={() => void run.run(b.id)} data-testid="run-topup">
                  <Icon name="trend" /> {t("topup.run")}
                </button>
              </Show>
            </li>
          )}
        </For>
      </ul>
    </>
  );
}

function GoodsPage() {
  const [shopList, { refetch: refetchShops }] = createResource(() => shops.list());
  const [shopId, setShopId] = createSignal("");
  const activeShop = () => shopId() || shopList()?.items[0]?.id || "";
  const [list, { refetch }] = createResource(activeShop, (id) => goods.list(id));
  const [form, setForm] = createSignal({ name: "", points: 10, stock: 10, unit: "" });
  const [shopName, setShopName] = createSignal("");
  const [deltas, setDeltas] = createSignal<Record<string, number>>({});
  const addShop = createAction(async () => {
    const shop = await shops.create(shopName().trim());
    setShopName("");
    await refetchShops();
    setShopId(shop.id);
  });
  const create = createAction(async () => {
    const f = form();
    await goods.create({ shopId: activeShop(), name: f.name.trim(), points: Number(f.points), stock: Number(f.stock), unit: f.unit || undefined });
    setForm({ name: "", points: 10, stock: 10, unit: "" });
    await refetch();
  });
  const restock = createAction(async (id: string) => {
    await goods.stock(id, deltas()[id] ?? 0, t("goodsAdmin.restockReason"));
    setDeltas({ ...deltas(), [id]: 0 });
    await refetch();
  });
  return (
    <>
      <h1>
        <Icon name="gift" /> {t("admin.goods")}
      </h1>
      <div class="row panel">
        <Field id="g-shop" label={t("goodsAdmin.shop")}>
          <select id="g-shop" value={activeShop()} onChange={(e) => setShopId(e.currentTarget.value)}>
            <For each={shopList()?.items ?? []}>{(s) => <option value={s.id}>{s.name}</option>}</For>
          </select>
        </Field>
        <Field id="g-newshop" label={t("goodsAdmin.newShop")}>
          <div class="row">
            <input id="g-newshop" value={shopName()} onInput={(e) => setShopName(e.currentTarget.value)} />
            <button style={{ flex: "none" }} disabled={!shopName().trim()} onClick={() => void addShop.run()}>
              <Icon name="plus" /> {t("goodsAdmin.addShop")}
            </button>
          </div>
        </Field>
      </div>
      <ErrorBox error={shopList.error ?? list.error ?? addShop.error() ?? restock.error()} />
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">{t("goodsAdmin.name")}</th>
              <th scope="col">{t("goodsAdmin.points")}</th>
              <th scope="col">{t("goodsAdmin.stock")}</th>
              <th scope="col">{t("goodsAdmin.change")}</th>
            </tr>
          </thead>
          <tbody>
            <For each={list()?.items ?? []}>
              {(g) => (
                <tr>
                  <td>{g.name}</td>
                  <td>{g.points}</td>
                  <td>
                    {g.stock} {g.unit ?? ""}
                  </td>
                  <td>
                    <div class="row">
                      <label class="sr-only" for={`d-${g.id}`}>
                        {t("goodsAdmin.change")}
                      </label>
                      <input id={`d-${g.id}`} type="number" style={{ width: "100px", flex: "none" }} value={deltas()[g.id] ?? 0} onInput={(e) => setDeltas({ ...deltas(), [g.id]: Number(e.currentTarget.value) })} />
                      <button class="secondary" style={{ flex: "none" }} disabled={!deltas()[g.id]} onClick={() => void restock.run(g.id)}>
                        <Icon name="box" /> {t("goodsAdmin.apply")}
                      </button>
                    </div>
                  </td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </div>
      <form
        class="panel"
        onSubmit={(e) => {
          e.preventDefault();
          void create.run();
        }}
      >
        <h2 style={{ "margin-top": 0 }}>{t("goodsAdmin.add")}</h2>
        <div class="row">
          <Field id="g-name" label={t("goodsAdmin.name")}>
            <input id="g-name" required value={form().name} onInput={(e) => setForm({ ...form(), name: e.currentTarget.value })} />
          </Field>
          <Field id="g-unit" label={t("goodsAdmin.unit")}>
            <input id="g-unit" value={form().unit} onInput={(e) => setForm({ ...form(), unit: e.currentTarget.value })} />
          </Field>
        </div>
        <div class="row">
          <Field id="g-points" label={t("goodsAdmin.points")}>
            <input id="g-points" type="number" min="1" value={form().points} onInput={(e) => setForm({ ...form(), points: Number(e.currentTarget.value) })} />
          </Field>
          <Field id="g-stock" label={t("goodsAdmin.stock")}>
            <input id="g-stock" type="number" min="0" value={form().stock} onInput={(e) => setForm({ ...form(), stock: Number(e.currentTarget.value) })} />
          </Field>
        </div>
        <ErrorBox error={create.error()} />
        <button type="submit" style={{ "margin-top": "12px" }} disabled={create.busy() || !activeShop()}>
          <Icon name="plus" /> {t("goodsAdmin.add")}
        </button>
      </form>
    </>
  );
}

function UsersPage() {
  const [list, { refetch }] = createResource(() => users.list());
  const [shopList] = createResource(() => shops.list());
  const [form, setForm] = createSignal({ username: "", password: "", name: "", role: "volunteer", shopId: "" });
  const create = createAction(async () => {
    const f = form();
    await users.create({ ...f, shopId: f.role === "clerk" ? f.shopId || shopList()?.items[0]?.id : undefined });
    setForm({ username: "", password: "", name: "", role: "volunteer", shopId: "" });
    await refetch();
  });
  return (
    <>
      <h1>
        <Icon name="users" /> {t("admin.users")}
      </h1>
      <ErrorBox error={list.error} />
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">{t("staff.username")}</th>
              <th scope="col">{t("users.name")}</th>
              <th scope="col">{t("users.role")}</th>
            </tr>
          </thead>
          <tbody>
            <For each={list()?.items ?? []}>
              {(u) => (
                <tr>
                  <td>{u.username}</td>
                  <td>{u.name}</td>
                  <td>{t(`users.${u.role}` as "users.admin")}</td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </div>
      <form
        class="panel"
        onSubmit={(e) => {
          e.preventDefault();
          void create.run();
        }}
      >
        <h2 style={{ "margin-top": 0 }}>{t("users.add")}</h2>
        <div class="row">
          <Field id="u-username" label={t("staff.username")}>
            <input id="u-username" required autocomplete="off" value={form().username} onInput={(e) => setForm({ ...form(), username: e.currentTarget.value })} />
          </Field>
          <Field id="u-name" label={t("users.name")}>
            <input id="u-name" required value={form().name} onInput={(e) => setForm({ ...form(), name: e.currentTarget.value })} />
          </Field>
        </div>
        <div class="row">
          <Field id="u-password" label={t("users.password", { n: limits.passwordLengthMin })}>
            <input id="u-password" type="password" autocomplete="new-password" minlength={limits.passwordLengthMin} required value={form().password} onInput={(e) => setForm({ ...form(), password: e.currentTarget.value })} />
          </Field>
          <Field id="u-role" label={t("users.role")}>
            <select id="u-role" value={form().role} onChange={(e) => setForm({ ...form(), role: e.currentTarget.value })}>
              <For each={["admin", "reviewer", "volunteer", "clerk"]}>{(r) => <option value={r}>{t(`users.${r}` as "users.admin")}</option>}</For>
            </select>
          </Field>
          <Show when={form().role === "clerk"}>
            <Field id="u-shop" label={t("goodsAdmin.shop")}>
              <select id="u-shop" value={form().shopId} onChange={(e) => setForm({ ...form(), shopId: e.currentTarget.value })}>
                <For each={shopList()?.items ?? []}>{(s) => <option value={s.id}>{s.name}</option>}</For>
              </select>
            </Field>
          </Show>
        </div>
        <ErrorBox error={create.error()} />
        <button type="submit" style={{ "margin-top": "12px" }} disabled={create.busy()}>
          <Icon name="plus" /> {t("users.add")}
        </button>
      </form>
    </>
  );
}

function SettingsPage() {
  const [current, { mutate }] = createResource(() => settings.get());
  const [saved, setSaved] = createSignal(false);
  const save = createAction(async (form: HTMLFormElement) => {
    const data = new FormData(form);
    const next = await settings.update({
      publicityDays: Number(data.get("publicityDays")),
      minPublicityHours: Number(data.get("minPublicityHours")),
      pinThreshold: Number(data.get("pinThreshold")),
      // Empty means no cap.
      dailyRedemptionCap: String(data.get("dailyRedemptionCap") ?? "").trim() ? Number(data.get("dailyRedemptionCap")) : null,
      autoTopUp: data.get("autoTopUp") === "on",
    });
    mutate(next);
    setSaved(true);
  });
  return (
    <>
      <h1>
        <Icon name="settings" /> {t("admin.settings")}
      </h1>
      <ErrorBox error={current.error} />
      <Show when={current()}>
        {(s) => (
          <form
            class="panel"
            onSubmit={(e) => {
              e.preventDefault();
              void save.run(e.currentTarget);
            }}
          >
            <Field id="s-days" label={t("settings.publicityDays")}>
              <input id="s-days" name="publicityDays" type="number" min={limits.publicityDaysMin} max={limits.publicityDaysMax} value={s().publicityDays} />
            </Field>
            <Field id="s-hours" label={t("settings.minPublicityHours")}>
              <input id="s-hours" name="minPublicityHours" type="number" min="0" value={s().minPublicityHours} />
            </Field>
            <Field id="s-pin" label={t("settings.pinThreshold")}>
              <input id="s-pin" name="pinThreshold" type="number" min="0" value={s().pinThreshold} />
            </Field>
            <Field id="s-cap" label={t("settings.dailyRedemptionCap")}>
              <input id="s-cap" name="dailyRedemptionCap" type="number" min="1" value={s().dailyRedemptionCap ?? ""} placeholder={t("settings.noCap")} />
            </Field>
            <label style={{ display: "flex", gap: "10px", "align-items": "center", "margin-top": "12px" }}>
              <input id="s-auto" name="autoTopUp" type="checkbox" checked={s().autoTopUp} style={{ width: "28px", height: "28px" }} />
              {t("settings.autoTopUp")}
            </label>
            <ErrorBox error={save.error()} />
            <Show when={saved()}>
              <Success>{t("settings.saved")}</Success>
            </Show>
            <button type="submit" style={{ "margin-top": "12px" }} disabled={save.busy()}>
              <Icon name="check" /> {t("common.save")}
            </button>
          </form>
        )}
      </Show>
    </>
  );
}

function AuditPage() {
  const [list] = createResource(() => audit.list());
  return (
    <>
      <h1>
        <Icon name="list" /> {t("admin.audit")}
      </h1>
      <ErrorBox error={list.error} />
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">{t("audit.at")}</th>
              <th scope="col">{t("audit.actor")}</th>
              <th scope="col">{t("audit.action")}</th>
              <th scope="col">{t("audit.target")}</th>
            </tr>
          </thead>
          <tbody>
            <For each={list()?.items ?? []}>
              {(row: Record<string, any>) => (
                <tr>
                  <td>{fmtDate(row.at ?? row.createdAt, true)}</td>
                  <td>{typeof row.actor === "object" && row.actor ? row.actor.name ?? row.actor.username : row.actor ?? row.actorName ?? ""}</td>
                  <td>{row.action}</td>
                  <td class="small">{row.target ?? [row.targetType, row.targetId].filter(Boolean).join(" ")}</td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </div>
    </>
  );
}
