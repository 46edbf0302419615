/**
 * 我的申请: each application of the household and where it stands in the seven steps. A
 * penalty (惩戒) is marked as one: red, "扣 N 分", and 已扣分 once it is taken.
 */
import { For, Show } from "solid-js";
import { applications } from "../../api";
import { t } from "../../i18n";
import { BackLink } from "../../ui/common";
import { Icon } from "../../ui/icon";
import { AsOf, createKept, KeptState } from "../../ui/kept";
import { ApplicationBadge, isPenalty, PenaltyTag, SignedPoints } from "../../ui/points";
import { Steps } from "../../ui/steps";
import { useHouseholdId } from "./household";

export default function MyApplications() {
  const householdId = useHouseholdId();
  const list = createKept(householdId, "applications", (id) => applications.list({ householdId: id }));
  return (
    <>
      <BackLink href="/me" />
      <h1>
        <Icon name="clock" /> {t("apps.title")}
      </h1>
      <KeptState data={list} />
      <Show when={list.value()}>
        {(page) => (
          <>
            <AsOf at={list.savedAt()} retry={list.retry} />
            <Show when={page().items.length} fallback={<p class="muted">{t("apps.empty")}</p>}>
              <ul class="list" data-testid="applications">
                <For each={page().items}>
                  {(a) => (
                    <li classList={{ penalty: isPenalty(a.kind) }} data-kind={a.kind}>
                      <div class="item-head">
                        <strong>
                          <PenaltyTag kind={a.kind} /> {isPenalty(a.kind) ? t("penalty.title", { rule: a.rule.title }) : a.rule.title}
                        </strong>
                        <ApplicationBadge status={a.status} kind={a.kind} />
                      </div>
                      <div>{a.description}</div>
                      <Show when={a.memberName}>{(name) => <div class="muted small">{t("apps.member", { name: name() })}</div>}</Show>
                      <Steps status={a.status} />
                      <Show when={a.reason}>{(reason) => <div class="muted small">{t("apps.reason", { reason: reason() })}</div>}</Show>
                      <Show when={a.status !== "submitted" ? a.points : null}>
                        {(points) => (
                          <div class="small">
                            <Show when={isPenalty(a.kind)} fallback={t("apps.points", { n: points() })}>
                              <SignedPoints kind={a.kind} points={points()} />
                            </Show>
                          </div>
                        )}
                      </Show>
                    </li>
                  )}
                </For>
              </ul>
            </Show>
          </>
        )}
      </Show>
    </>
  );
}
