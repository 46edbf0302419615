/** 我的申请: each application of the household and where it stands in the seven steps. */
import { createResource, For, Show } from "solid-js";
import { applications } from "../../api";
import { t } from "../../i18n";
import { BackLink, ErrorBox, Loading, ready } from "../../ui/common";
import { Icon } from "../../ui/icon";
import { StatusBadge } from "../../ui/status-badge";
import { Steps } from "../../ui/steps";
import { useHouseholdId } from "./household";

export default function MyApplications() {
  const householdId = useHouseholdId();
  const [list] = createResource(householdId, (id) => applications.list({ householdId: id }));
  return (
    <>
      <BackLink href="/me" />
      <h1>
        <Icon name="clock" /> {t("apps.title")}
      </h1>
      <ErrorBox error={list.error} />
      <Show when={ready(list)} fallback={<Show when={!list.error}><Loading /></Show>}>
        {(page) => (
          <Show when={page().items.length} fallback={<p class="muted">{t("apps.empty")}</p>}>
            <ul class="list" data-testid="applications">
              <For each={page().items}>
                {(a) => (
                  <li>
                    <div class="item-head">
                      <strong>{a.rule.title}</strong>
                      <StatusBadge status={a.status} />
                    </div>
                    <div>{a.description}</div>
                    <Show when={a.memberName}>{(name) => <div class="muted small">{t("apps.member", { name: name() })}</div>}</Show>
                    <Steps status={a.status} />
                    <Show when={a.reason}>{(reason) => <div class="muted small">{t("apps.reason", { reason: reason() })}</div>}</Show>
                    <Show when={a.status !== "submitted" ? a.points : null}>{(points) => <div class="small">{t("apps.points", { n: points() })}</div>}</Show>
                  </li>
                )}
              </For>
            </ul>
          </Show>
        )}
      </Show>
    </>
  );
}
