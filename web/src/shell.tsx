/** The frame around every page: brand, language switch, sign-out, and the offline banner. */
import { A, useLocation, useNavigate, type RouteSectionProps } from "@solidjs/router";
import { Show, Suspense } from "solid-js";
import { currentLang, setLang, t } from "./i18n";
import { session, signOut } from "./session";
import { createOnline, Loading } from "./ui/common";
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
        <Suspense fallback={<Loading />}>{props.children}</Suspense>
      </main>
    </>
  );
}
