/**
 * The household's family helpers (亲情代理) on its own home page: who helps, and every time a
 * helper's phone signed in, so the household sees who looked at its points. A helper's own phone
 * shows, on top, whose household it is helping.
 */
import { createResource, For, Show } from "solid-js";
import { inclusion } from "../../api";
import { fmtDate, t } from "../../i18n";
import { session } from "../../session";
import { Icon } from "../../ui/icon";

/** "张三，您在帮 XXL-0001 户看积分。" on a helper's phone; nothing on the household's own. */
export function HelperBanner(props: { householdNo: string }) {
  return (
    <Show when={session.me()?.helper}>
      {(helper) => (
        <p class="notice-line" role="note" data-testid="helper-banner">
          <Icon name="users" /> <span>{t("inclusion.helpers.banner", { name: helper().name, no: props.householdNo })}</span>
        </p>
      )}
    </Show>
  );
}

export function HelpersPanel(props: { householdId: string }) {
  // Nothing to show offline or on a failure: the panel is extra, the page works without it.
  const [list] = createResource(() => props.householdId, (id) => inclusion.helpers(id).catch(() => null));
  return (
    <Show when={list()?.items.length || list()?.signIns.length ? list() : null}>
      {(answer) => (
        <section class="panel" aria-labelledby="helpers-title" data-testid="my-helpers">
          <h2 id="helpers-title" style={{ margin: "0 0 8px" }}>
            <Icon name="users" /> {t("inclusion.helpers.whoHelps")}
          </h2>
          <ul class="list">
            <For each={answer().items}>
              {(helper) => (
                <li>
                  <b>{helper.name}</b>（{helper.relation}）
                  <div class="small muted">{helper.lastSignInAt ? t("inclusion.helpers.lastSignIn", { at: fmtDate(helper.lastSignInAt, true) }) : t("inclusion.helpers.never")}</div>
                </li>
              )}
            </For>
          </ul>
          <h3>{t("inclusion.helpers.signIns")}</h3>
          <ul class="list" data-testid="helper-sign-ins">
            <For each={answer().signIns} fallback={<li class="muted">{t("inclusion.helpers.noSignIns")}</li>}>
              {(s) => <li class="small">{t("inclusion.helpers.signedInAt", { name: s.name, relation: s.relation, at: fmtDate(s.at, true) })}</li>}
            </For>
          </ul>
        </section>
      )}
    </Show>
  );
}
