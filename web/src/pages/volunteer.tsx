/**
 * Volunteer / building head: pick the notice (activity) and the rule, scan the cards of the
 * people who took part one after another (the camera keeps scanning; a typed 户号 works too),
 * watch the list grow, then submit every application at once. Below: what they logged.
 * After a submission the list empties and the camera stops, so a card still in front of it is
 * not added again; a household that had already applied for the activity is named, not resubmitted.
 */
import { createMemo, createResource, createSignal, For, Show } from "solid-js";
import { ApiError, applications, cards, households, notices, rules, type Rule } from "../api";
import { categoryName, currentLang, fmtDate, t } from "../i18n";
import { createAction, describeError, ErrorBox, Success } from "../ui/common";
import { useStaffRole } from "../ui/guard";
import { Icon } from "../ui/icon";
import { CameraToggle } from "../ui/camera-toggle";
import { ApplicationBadge } from "../ui/points";
import { ShowResident } from "../ui/show-resident";

type Participant = { householdId: string; householdNo: string; headName: string; building: string };

export default function Volunteer() {
  const user = useStaffRole("volunteer", "admin");
  const [noticeList] = createResource(user, () => notices.list());
  const [ruleList] = createResource(user, () => rules.list());
  // What this volunteer submitted (`mine=1`: the server knows who is signed in).
  const [logged, { refetch }] = createResource(user, () => applications.list({ mine: "1" }));
  const [noticeId, setNoticeId] = createSignal("");
  const [ruleId, setRuleId] = createSignal("");
  const [description, setDescription] = createSignal("");
  const [people, setPeople] = createSignal<Participant[]>([]);
  const [typed, setTyped] = createSignal("");
  const [camera, setCamera] = createSignal(false);
  const [message, setMessage] = createSignal<string | null>(null);
  const [problem, setProblem] = createSignal<unknown>(null);
  const [sent, setSent] = createSignal<number | null>(null);
  const [duplicates, setDuplicates] = createSignal<Participant[]>([]);
  // 给居民看: the household whose balance and statement are shown to its resident, if any.
  const [showing, setShowing] = createSignal<string | null>(null);

  const notice = () => noticeList()?.items.find((n) => n.id === noticeId());
  const ruleChoices = createMemo<Rule[]>(() => {
    const all = ruleList()?.items ?? [];
    const ids = notice()?.ruleIds;
    return ids?.length ? all.filter((r) => ids.includes(r.id)) : all;
  });

  function addPerson(p: Participant) {
    if (people().some((x) => x.householdId === p.householdId)) {
      setMessage(t("volunteer.already", { name: p.headName }));
      return;
    }
    setPeople([...people(), p]);
    setMessage(t("volunteer.added", { name: p.headName }));
    setProblem(null);
    // A new list starts: the last submission's messages no longer describe it.
    setDuplicates([]);
    setSent(null);
  }

  async function onScan(text: string) {
    try {
      const card = await cards.resolve(text);
      addPerson({ householdId: card.household.id, ...card.household });
    } catch (err) {
      setProblem(err);
    }
  }

  // Typed (or USB-scanned) numbers are looked up one after another, in the order entered, so a
  // fast volunteer's list and the message under the field always follow what they typed.
  let pending: Promise<void> = Promise.resolve();
  const [looking, setLooking] = createSignal(0);
  const [lookupError, setLookupError] = createSignal<unknown>(null);
  function lookupTyped() {
    const q = typed().trim();
    if (!q) return;
    setTyped("");
    setLooking((n) => n + 1);
    pending = pending.then(async () => {
      try {
        const found = (await households.list({ q })).items;
        const exact = found.filter((h) => h.householdNo === q || h.card?.cardNo === q || h.headName === q);
        const pick = exact.length === 1 ? exact[0] : found.length === 1 ? found[0] : null;
        if (!pick) throw new Error(found.length ? t("volunteer.many", { n: found.length }) : t("volunteer.notFound"));
        setLookupError(null);
        addPerson({ householdId: pick.id, householdNo: pick.householdNo, headName: pick.headName, building: pick.building });
      } catch (err) {
        setLookupError(err);
        if (!typed()) setTyped(q); // give the text back to correct it
      } finally {
        setLooking((n) => n - 1);
      }
    });
  }

  const submit = createAction(async () => {
    const text = description().trim() || notice()?.title || "";
    // One application per household; they are independent, so they go out together.
    const results = await Promise.allSettled(
      people().map((p) =>
        applications.create({ householdId: p.householdId, ruleId: ruleId(), noticeId: noticeId() || undefined, description: text }),
      ),
    );
    const refusedAs = (r: PromiseSettledResult<unknown>) =>
      r.status === "rejected" ? (r.reason instanceof ApiError && r.reason.code === "DUPLICATE_APPLICATION" ? "duplicate" : "failed") : "sent";
    const outcome = results.map(refusedAs);
    const failed = people().filter((_, i) => outcome[i] === "failed");
    // Applied already (by anyone, any device): named, and off the list, since sending again cannot help.
    setDuplicates(people().filter((_, i) => outcome[i] === "duplicate"));
    setSent(outcome.filter((o) => o === "sent").length);
    setPeople(failed);
    setCamera(false);
    setMessage(null);
    void refetch();
    if (failed.length) {
      const reason = (results[outcome.indexOf("failed")] as PromiseRejectedResult).reason;
      throw new Error(t("volunteer.someFailed", { n: failed.length, reason: describeError(reason) }));
    }
  });

  const mine = () => (logged()?.items ?? []).slice(0, 30);

  return (
    <>
      <h1>
        <Icon name="users" /> {t("volunteer.title")}
      </h1>
      <section class="panel">
        <label for="notice">
          <Icon name="bell" /> {t("volunteer.notice")}
        </label>
        <select id="notice" value={noticeId()} onChange={(e) => setNoticeId(e.currentTarget.value)}>
          <option value="">{t("volunteer.noNotice")}</option>
          <For each={noticeList()?.items ?? []}>{(n) => <option value={n.id}>{n.title}</option>}</For>
        </select>
        <label for="rule">
          <Icon name="file" /> {t("volunteer.rule")}
        </label>
        <select id="rule" value={ruleId()} onChange={(e) => setRuleId(e.currentTarget.value)}>
          <option value="">{t("volunteer.pickRule")}</option>
          <For each={ruleChoices()}>
            {(r) => (
              <option value={r.id}>
                {categoryName(r.category)} · {r.title} ({r.minPoints}–{r.maxPoints})
              </option>
            )}
          </For>
        </select>
        <label for="desc">{t("volunteer.description")}</label>
        <input id="desc" value={description()} placeholder={notice()?.title ?? ""} onInput={(e) => setDescription(e.currentTarget.value)} />
        <ErrorBox error={noticeList.error ?? ruleList.error} />
      </section>

      <section class="panel">
        <h2 style={{ "margin-top": 0 }}>
          <Icon name="camera" /> {t("volunteer.scan")}
        </h2>
        <CameraToggle continuous open={camera()} onOpenChange={setCamera} onCode={(text) => void onScan(text)} />
        <form
          onSubmit={(e) => {
            e.preventDefault();
            lookupTyped();
          }}
        >
          <label for="typed">{t("volunteer.typed")}</label>
          <div class="row">
            <input id="typed" data-testid="typed-household" value={typed()} onInput={(e) => setTyped(e.currentTarget.value)} />
            <button type="submit" style={{ flex: "none" }} aria-busy={looking() > 0}>
              <Icon name="plus" /> {t("volunteer.add")}
            </button>
          </div>
        </form>
        <Show when={message()}>
          <p role="status" class="small">
            {message()}
          </p>
        </Show>
        <ErrorBox error={problem() ?? lookupError()} />
        <h3>{t("volunteer.list", { n: people().length })}</h3>
        <Show when={showing()}>{(id) => <ShowResident householdId={id()} onClose={() => setShowing(null)} />}</Show>
        <ul class="list" data-testid="participants">
          <For each={people()} fallback={<li class="muted">{t("volunteer.listEmpty")}</li>}>
            {(p) => (
              <li class="item-head">
                <span>
                  <strong>{p.headName}</strong> <span class="muted small">{t("home.household", { no: p.householdNo })} · {p.building}</span>
                </span>
                <span class="row" style={{ flex: "none", gap: "6px" }}>
                  <button class="secondary" style={{ flex: "none" }} onClick={() => setShowing(p.householdId)} data-testid="show-resident-open">
                    <Icon name="user" /> {t("inclusion.show.button")}
                  </button>
                  <button class="plain" style={{ flex: "none" }} aria-label={t("volunteer.remove", { name: p.headName })} onClick={() => setPeople(people().filter((x) => x !== p))}>
                    <Icon name="x" />
                  </button>
                </span>
              </li>
            )}
          </For>
        </ul>
        <ErrorBox error={submit.error()} />
        <Show when={duplicates().length}>
          <p class="error" role="alert" data-testid="duplicates">
            <Icon name="alert" /> {t("office.duplicateRefused", { names: duplicates().map((p) => `${p.headName} · ${p.householdNo}`).join(currentLang() === "en" ? ", " : "、") })}
          </p>
        </Show>
        <Show when={!!sent() && !submit.error()}>
          <Success>{t("volunteer.sent", { n: sent()! })}</Success>
        </Show>
        <button class="big" disabled={!people().length || !ruleId() || submit.busy()} onClick={() => void submit.run()} data-testid="submit-all">
          <Icon name="check" /> {t("volunteer.submit", { n: people().length })}
        </button>
      </section>

      <section class="panel">
        <h2 style={{ "margin-top": 0 }}>
          <Icon name="list" /> {t("volunteer.logged")}
        </h2>
        <ul class="list" data-testid="logged">
          <For each={mine()} fallback={<li class="muted">{t("common.none")}</li>}>
            {(a) => (
              <li class="item-head">
                <span>
                  {a.household.headName} · {a.description}
                  <br />
                  <span class="muted small">{fmtDate(a.createdAt, true)}</span>
                </span>
                <ApplicationBadge status={a.status} kind={a.kind} />
              </li>
            )}
          </For>
        </ul>
      </section>
    </>
  );
}
