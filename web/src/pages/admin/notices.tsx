/** 通知 (step 1, notify): write an activity, name the rules it pays under, publish it. */
import { createResource, createSignal, For, Show } from "solid-js";
import { NewNoticeBody } from "../../../../shared/forms";
import { limits } from "../../../../shared/limits";
import { notices, rules } from "../../api";
import { categoryName, t } from "../../i18n";
import { checkWith } from "../../ui/form-schema";
import { createAction, ErrorBox, ready } from "../../ui/common";
import { Field, FormPanel } from "../../ui/form-panel";
import { Icon } from "../../ui/icon";

export default function NoticesPage() {
  const [list, { refetch }] = createResource(() => notices.list());
  const [ruleList] = createResource(() => rules.list());
  const [title, setTitle] = createSignal("");
  const [body, setBody] = createSignal("");
  const [ruleIds, setRuleIds] = createSignal<string[]>([]);
  const create = createAction(async () => {
    const ids = ruleIds();
    await notices.create(checkWith(NewNoticeBody, { title: title(), body: body(), ruleIds: ids.length ? ids : undefined }, { title: t("notices.titleField"), body: t("notices.body") }));
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
        <For each={ready(list)?.items ?? []}>
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
      <FormPanel title={t("notices.add")} submit={t("notices.add")} submitIcon="plus" busy={create.busy()} error={create.error()} onSubmit={() => void create.run()}>
        <Field id="n-title" label={t("notices.titleField")}>
          <input id="n-title" required maxlength={limits.titleLengthMax} value={title()} onInput={(e) => setTitle(e.currentTarget.value)} />
        </Field>
        <Field id="n-body" label={t("notices.body")}>
          <textarea id="n-body" required maxlength={limits.textLengthMax} value={body()} onInput={(e) => setBody(e.currentTarget.value)} />
        </Field>
        <fieldset style={{ border: "0", padding: "0", margin: "12px 0 0" }}>
          <legend style={{ "font-weight": 600 }}>{t("notices.rules")}</legend>
          <For each={ready(ruleList)?.items ?? []}>
            {(r) => (
              <label style={{ display: "flex", gap: "8px", "align-items": "center", "font-weight": 400, margin: "4px 0" }}>
                <input
                  type="checkbox"
                  style={{ width: "28px", flex: "none" }}
                  checked={ruleIds().includes(r.id)}
                  disabled={!ruleIds().includes(r.id) && ruleIds().length >= limits.ruleIdsMax}
                  onChange={(e) => setRuleIds(e.currentTarget.checked ? [...ruleIds(), r.id] : ruleIds().filter((x) => x !== r.id))}
                />
                {categoryName(r.category)} · {r.title}
              </label>
            )}
          </For>
        </fieldset>
      </FormPanel>
    </>
  );
}
