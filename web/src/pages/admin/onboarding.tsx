/**
 * 开通清单: a new community's first steps on its admin's home (issue 11 item 4) — import
 * households, issue cards, add a shop and its goods, publish the first notice, set the publicity
 * days — each ticked from the community's own records (GET /api/community/onboarding) with a link
 * to the page that does it. Gone once every step is done; a failed read hides it (the dashboard
 * below still works).
 */
import { A } from "@solidjs/router";
import { createResource, For, Show, Suspense } from "solid-js";
import { onboarding, type OnboardingChecklist } from "../../api";
import { localWords } from "../../i18n/local";
import { ready } from "../../ui/common";
import { Icon } from "../../ui/icon";

type StepKey = OnboardingChecklist["steps"][number]["key"];

const zh = {
  title: "开通社区：还要做这几件事",
  hint: "每做完一件，这里会自动打勾；全部做完后这份清单就不再显示。",
  progress: "已完成 {{ done }} / {{ all }}",
  done: "已完成",
  todo: "未完成",
  go: "去办理",
  step: {
    households: "导入住户名册",
    cards: "给住户发积分卡",
    shop: "添加积分超市",
    goods: "添加可兑换的商品",
    notice: "发布第一条活动通知",
    publicityDays: "设置公示天数",
  },
};

const en: typeof zh = {
  title: "Setting up the community: still to do",
  hint: "Each step ticks itself once it is done; the list goes away when all are done.",
  progress: "{{ done }} of {{ all }} done",
  done: "Done",
  todo: "To do",
  go: "Do it",
  step: {
    households: "Import the household register",
    cards: "Issue points cards to households",
    shop: "Add the points shop",
    goods: "Add goods to redeem",
    notice: "Publish the first activity notice",
    publicityDays: "Set the publicity days",
  },
};

const w = localWords(zh, en);

/** Where each step is done. */
const pageOf: Record<StepKey, string> = {
  households: "/admin/households",
  cards: "/admin/card-desk",
  shop: "/admin/goods",
  goods: "/admin/goods",
  notice: "/admin/notices",
  publicityDays: "/admin/settings",
};

export function OnboardingChecklist() {
  const [list] = createResource(() => onboarding.get());
  const steps = () => ready(list)?.steps ?? [];
  // Its own Suspense: the checklist arrives when it arrives, without holding up (or being held
  // up by) the dashboard's own figures when the admin comes back to the dashboard.
  return (
    <Suspense>
      <Show when={ready(list) && !ready(list)!.done}>
        <section class="panel onboarding" data-testid="onboarding" aria-labelledby="onboarding-title">
          <h2 id="onboarding-title" style={{ "margin-top": 0 }}>
            <Icon name="list" /> {w("title")}
          </h2>
          <p class="muted small">
            {w("hint")} <b>{w("progress", { done: steps().filter((s) => s.done).length, all: steps().length })}</b>
          </p>
          <ol class="onboarding-steps">
            <For each={steps()}>
              {(step) => (
                <li classList={{ done: step.done }} data-testid={`onboarding-${step.key}`} data-done={step.done ? "yes" : "no"}>
                  <span class="tick" aria-hidden="true">
                    <Show when={step.done}>
                      <Icon name="check" size={20} />
                    </Show>
                  </span>
                  <span class="what">
                    {w(`step.${step.key}`)}
                    <span class="sr-only">（{step.done ? w("done") : w("todo")}）</span>
                  </span>
                  <Show when={!step.done}>
                    <A class="btn secondary" href={pageOf[step.key]} aria-label={`${w("go")}：${w(`step.${step.key}`)}`}>
                      {w("go")}
                    </A>
                  </Show>
                </li>
              )}
            </For>
          </ol>
          <style>{`
.onboarding-steps { list-style: none; margin: 0; padding: 0; }
.onboarding-steps li { display: flex; align-items: center; gap: 12px; padding: 8px 0; border-bottom: 1px solid var(--line); }
.onboarding-steps li:last-child { border-bottom: 0; }
.onboarding-steps .tick { flex: none; display: inline-flex; align-items: center; justify-content: center; width: 30px; height: 30px; border-radius: 8px; border: 2px solid #a99c91; background: #fff; }
.onboarding-steps li.done .tick { background: var(--green); border-color: var(--green); color: #fff; }
.onboarding-steps li.done .what { color: var(--muted); text-decoration: line-through; }
.onboarding-steps .what { flex: 1; font-weight: 600; }
.onboarding-steps .btn { flex: none; }`}</style>
        </section>
      </Show>
    </Suspense>
  );
}
