/** The first screen: who are you? Signed-in people go straight to their own start page. */
import { Navigate } from "@solidjs/router";
import { Show } from "solid-js";
import { t } from "../i18n";
import { homeFor, session } from "../session";
import { Loading, Tile } from "../ui/common";

export function Start() {
  return (
    <Show when={!session.me.loading} fallback={<Loading />}>
      <Show when={!session.me()} fallback={<Navigate href={homeFor(session.me())} />}>
        <section class="hero">
          <div class="label">{t("start.community")}</div>
          <h1>{t("start.title")}</h1>
          <p style={{ margin: 0 }}>{t("start.motto")}</p>
        </section>
        <nav class="tiles" aria-label={t("start.title")}>
          <Tile href="/login" icon="card" label={t("start.resident")} testid="start-resident" />
          <Tile href="/board" icon="flag" label={t("start.board")} testid="start-board" />
          <Tile href="/staff" icon="users" label={t("start.staff")} testid="start-staff" />
        </nav>
        <p class="muted">{t("start.help")}</p>
      </Show>
    </Show>
  );
}
