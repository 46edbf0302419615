/** The frame around every page: brand, language switch, sign-out, and the offline banner. */
import { A, useLocation, useNavigate, type RouteSectionProps } from "@solidjs/router";
import { Show, Suspense } from "solid-js";
import { currentLang, setLang, t } from "./i18n";
import { session, signOut } from "./session";
import { createOnline, ErrorBox, Loading } from "./ui/common";
import { Icon } from "./ui/icon";

export function Shell(props: RouteSectionProps) {
  const online = createOnline();
  const navigate = useNavigate();
  const location = useLocation();
  const wide = () => /^\/(admin|shop|review)/.test(location.pathname);
  document.documentElement.lang = currentLang() === "en" ? "en" : "zh-CN";
  return (
    <>
      <header class="topbar">
        <A href="/" class="brand">
          <img src="/icon.svg" alt="" width="32" height="32" />
          <span>{t("app.name")}</span>
        </A>
        <button
          class="ghost"
          data-testid="lang-switch"
          lang={currentLang() === "en" ? "zh-CN" : "en"}
          onClick={() => void setLang(currentLang() === "en" ? "zh" : "en")}
        >
          <Icon name="globe" size={20} />
          {currentLang() === "en" ? "中文" : "English"}
        </button>
        <Show when={session.me()}>
          <button
            class="ghost"
            data-testid="sign-out"
            onClick={async () => {
              await signOut();
              navigate("/", { replace: true });
            }}
          >
            <Icon name="logout" size={20} />
            {t("common.signOut")}
          </button>
        </Show>
      </header>
      <Show when={!online()}>
        <div class="offline" role="status" data-testid="offline">
          <Icon name="wifiOff" />
          {t("app.offline")}
        </div>
      </Show>
      <main classList={{ wide: wide() }}>
        <Show when={!session.failure()} fallback={<SessionProblem />}>
          <Suspense fallback={<Loading />}>{props.children}</Suspense>
        </Show>
      </main>
    </>
  );
}

/** The session could not be read (no network, a server error): say so, and offer to try again. */
function SessionProblem() {
  return (
    <section class="panel" data-testid="session-failed">
      <p style={{ "margin-top": 0 }}>{t("session.failed")}</p>
      <ErrorBox error={session.failure()} />
      <button type="button" disabled={session.me.loading} onClick={() => session.retry()} data-testid="session-retry">
        <Icon name="globe" /> {t("session.retry")}
      </button>
    </section>
  );
}
