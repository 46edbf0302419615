/** 通知: the community's activities, each with a way to apply for its points. */
import { A } from "@solidjs/router";
import { For, Show } from "solid-js";
import { notices } from "../../api";
import { fmtDate, t } from "../../i18n";
import { BackLink } from "../../ui/common";
import { AsOf, createKept, KeptState } from "../../ui/kept";
import { Icon } from "../../ui/icon";
import { ReadAloud } from "../../ui/read-aloud";
import { noticeText } from "../../ui/speech";
import { useHouseholdId } from "./household";

export default function Notices() {
  const householdId = useHouseholdId();
  const list = createKept(householdId, "notices", () => notices.list());
  return (
    <>
      <BackLink href="/me" />
      <h1>
        <Icon name="bell" /> {t("notices.title")}
      </h1>
      <KeptState data={list} />
      <AsOf at={list.savedAt()} retry={list.retry} />
      <Show when={list.value()}>
        {(page) => (
          <Show when={page().items.length} fallback={<p class="muted">{t("notices.empty")}</p>}>
            <ReadAloud text={(lang) => page().items.map((n) => noticeText(n, lang)).join(" ")} />
            <ul class="list" data-testid="notices">
              <For each={page().items}>
                {(n) => (
                  <li>
                    <h2 style={{ margin: 0 }}>{n.title}</h2>
                    <Show when={n.startsAt ?? n.publishedAt}>{(at) => <div class="muted small">{fmtDate(at(), true)}</div>}</Show>
                    <p style={{ "white-space": "pre-wrap" }}>{n.body}</p>
                    <ReadAloud text={(lang) => noticeText(n, lang)} testid="read-notice" />
                    <A class="btn secondary" href={`/me/apply?${new URLSearchParams({ notice: n.id })}`}>
                      <Icon name="plus" /> {t("notices.apply")}
                    </A>
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
