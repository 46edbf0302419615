/**
 * One household at the office (/admin/household/<id>), reached from the register: its family
 * helpers (亲情代理: add one and show its code once, end one at once, their sign-ins) and its
 * statement, printed on A4 or as a 58 mm receipt.
 */
import { useParams } from "@solidjs/router";
import { createResource, createSignal, For, Show } from "solid-js";
import { limits } from "../../../../shared/limits";
import { households, inclusion, isId, type Helper } from "../../api";
import { fmtDate, fmtPoints, t } from "../../i18n";
import { BackLink, createAction, ErrorBox, Loading, Success } from "../../ui/common";
import { Icon } from "../../ui/icon";
import { StatementPrint } from "../../ui/statement";

export default function HouseholdCare() {
  const params = useParams();
  const householdId = () => {
    const id = (params.section ?? "").split("/")[1] ?? "";
    return isId(id) ? id : null;
  };
  const [household] = createResource(householdId, (id) => households.get(id));
  return (
    <>
      <BackLink href="/admin/households" />
      <Show when={householdId()} fallback={<p class="error">{t("check.badIds", { n: 1 })}</p>}>
        {(id) => (
          <>
            <ErrorBox error={household.error} />
            <Show when={!household.error && household()} fallback={<Show when={household.loading}><Loading /></Show>}>
              {(h) => (
                <h1>
                  <Icon name="home" /> {h().headName} · {t("home.household", { no: h().householdNo })} · {fmtPoints(h().balance)}
                </h1>
              )}
            </Show>
            <HelpersDesk householdId={id()} />
            <StatementPrint householdId={id()} />
          </>
        )}
      </Show>
    </>
  );
}

function HelpersDesk(props: { householdId: string }) {
  const [list, { refetch }] = createResource(() => props.householdId, (id) => inclusion.helpers(id));
  const [shownCode, setShownCode] = createSignal<{ name: string; code: string } | null>(null);
  const [notice, setNotice] = createSignal<string | null>(null);
  const add = createAction(async (form: HTMLFormElement) => {
    const data = new FormData(form);
    const name = String(data.get("name") ?? "").trim();
    const created = await inclusion.addHelper(props.householdId, { name, relation: String(data.get("relation") ?? "").trim() });
    setNotice(null);
    setShownCode({ name, code: created.code });
    form.reset();
    await refetch();
  });
  const end = createAction(async (helper: Helper) => {
    if (!confirm(t("inclusion.helpers.endConfirm", { name: helper.name }))) return;
    await inclusion.endHelper(props.householdId, helper.id);
    setShownCode(null);
    setNotice(t("inclusion.helpers.ended", { name: helper.name }));
    await refetch();
  });
  const full = () => (list()?.items.length ?? 0) >= limits.helpersPerHouseholdMax;
  return (
    <section class="panel" aria-labelledby="helpers-title" data-testid="helpers-desk">
      <h2 id="helpers-title" style={{ "margin-top": 0 }}>
        <Icon name="users" /> {t("inclusion.helpers.title")}
      </h2>
      <p class="muted">{t("inclusion.helpers.hint", { n: limits.helpersPerHouseholdMax })}</p>
      <Show when={shownCode()}>
        {(shown) => (
          <div class="success" role="status" data-testid="helper-code-once">
            <Icon name="key" />
            <div>
              <div>
                {t("inclusion.helpers.code")} <b class="cardno" data-testid="helper-code">{shown().code}</b>
              </div>
              <div>{t("inclusion.helpers.codeOnce", { name: shown().name })}</div>
            </div>
          </div>
        )}
      </Show>
      <Show when={notice()}>{(text) => <Success>{text()}</Success>}</Show>
      <ErrorBox error={list.error ?? end.error()} />
      <Show when={!list.error && list()}>
        {(page) => (
          <ul class="list" data-testid="helpers">
            <For each={page().items} fallback={<li class="muted">{t("inclusion.helpers.none")}</li>}>
              {(helper) => (
                <li class="item-head">
                  <span>
                    <b>{helper.name}</b>（{helper.relation}） <span class="muted small">{t("inclusion.helpers.since", { at: fmtDate(helper.createdAt) })}</span>
                    <br />
                    <span class="small">{helper.lastSignInAt ? t("inclusion.helpers.lastSignIn", { at: fmtDate(helper.lastSignInAt, true) }) : t("inclusion.helpers.never")}</span>
                  </span>
                  <button type="button" class="plain" disabled={end.busy()} onClick={() => void end.run(helper)} data-testid="end-helper">
                    <Icon name="x" /> {t("inclusion.helpers.end")}
                  </button>
                </li>
              )}
            </For>
          </ul>
        )}
      </Show>
      <Show when={!full()} fallback={<p class="muted">{t("inclusion.helpers.full", { n: limits.helpersPerHouseholdMax })}</p>}>
        <form
          class="row"
          onSubmit={(e) => {
            e.preventDefault();
            void add.run(e.currentTarget);
          }}
        >
          <div>
            <label for="helper-name">{t("inclusion.helpers.name")}</label>
            <input id="helper-name" name="name" required maxlength={limits.nameLengthMax} />
          </div>
          <div>
            <label for="helper-relation">{t("inclusion.helpers.relation")}</label>
            <input id="helper-relation" name="relation" required maxlength={limits.relationLengthMax} />
          </div>
          <button type="submit" disabled={add.busy()} style={{ "align-self": "flex-end" }} data-testid="add-helper">
            <Icon name="plus" /> {t("inclusion.helpers.add")}
          </button>
        </form>
        <ErrorBox error={add.error()} />
      </Show>
    </section>
  );
}
