/** The frame around every page: brand, language switch, sign-out, and the offline banner. */
import { A, useLocation, useNavigate, type RouteSectionProps } from "@solidjs/router";
import { createEffect, createSignal, ErrorBoundary, on, onCleanup, Show, Suspense, type JSX } from "solid-js";
import { currentLang, setLang, t } from "./i18n";
import { session, signOut } from "./session";
import { createOnline, ErrorBox, Loading } from "./ui/common";
import { Icon } from "./ui/icon";
import { requestTimeoutMs } from "./ui/offline";
import { applyTextSize, textSize, TextSizeSwitch } from "./ui/text-size";

/** The resident's pages (and the public ones a resident opens): they take the A / A+ / A++ switch. */
const residentArea = /^\/($|me(\/|$)|board$|login$|helper$|c\/|d\/)/;

export function Shell(props: RouteSectionProps) {
  const online = createOnline();
  const navigate = useNavigate();
  const location = useLocation();
  const wide = () => /^\/(admin|shop|review|county)/.test(location.pathname);
  document.documentElement.lang = currentLang() === "en" ? "en" : "zh-CN";
  const residentPage = () => residentArea.test(location.pathname);
  createEffect(() => applyTextSize(residentPage() && textSize() !== "normal"));
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
      {/* Above the page, not in it: the page's own first thing (the card's QR) stays first in main. */}
      <Show when={residentPage()}>
        <TextSizeSwitch />
      </Show>
      <main classList={{ wide: wide() }}>
        {/* The session could not be checked: with who was signed in last, the pages go on with
            their kept answers (a short note and a retry on top); without, the problem panel. */}
        <Show when={!session.failure() || session.kept()} fallback={<SessionProblem />}>
          <Show when={session.kept() && online()}>
            <SessionKept />
          </Show>
          <PageBoundary>
            <Suspense fallback={<PageLoading />}>{props.children}</Suspense>
          </PageBoundary>
        </Show>
      </main>
    </>
  );
}

/**
 * A page that throws (a chunk that cannot load offline, a bug) shows what happened and a way
 * to try again, never a blank page or an endless 正在加载…; moving to another page starts fresh.
 */
function PageBoundary(props: { children: JSX.Element }) {
  const location = useLocation();
  let reset: (() => void) | undefined;
  createEffect(
    on(
      () => location.pathname,
      () => {
        reset?.();
        reset = undefined;
      },
      { defer: true },
    ),
  );
  return (
    <ErrorBoundary
      fallback={(error, again) => {
        reset = again;
        // A chunk that failed to load is fetched again by a reload once the network is back.
        const chunk = error instanceof TypeError && /import|module/i.test(error.message);
        return (
          <section class="panel" role="alert" data-testid="page-failed">
            <p style={{ "margin-top": 0 }}>{t("resident.pageFailed")}</p>
            <ErrorBox error={error} />
            <button type="button" onClick={() => (chunk ? window.location.reload() : again())} data-testid="page-retry">
              <Icon name="globe" /> {chunk ? t("resident.reload") : t("resident.retry")}
            </button>
          </section>
        );
      }}
    >
      {props.children}
    </ErrorBoundary>
  );
}

/**
 * 正在加载… while a page (its code, or its first answer) is on the way; if that takes longer
 * than a request may (a very slow or broken line), it says so and offers a reload, so the
 * resident is never left looking at 正在加载… with nothing to do.
 */
function PageLoading() {
  const [slow, setSlow] = createSignal(false);
  const timer = setTimeout(() => setSlow(true), requestTimeoutMs);
  onCleanup(() => clearTimeout(timer));
  return (
    <>
      <Loading />
      <Show when={slow()}>
        <div class="notice-line" role="status" data-testid="slow">
          <span>{t("resident.slow")}</span>
          <button type="button" class="secondary" onClick={() => window.location.reload()}>
            <Icon name="globe" /> {t("resident.reload")}
          </button>
        </div>
      </Show>
    </>
  );
}

/** The session could not be checked but who was signed in is known: say so above the page. */
function SessionKept() {
  return (
    <div class="notice-line" role="status" data-testid="session-failed">
      <span>{t("resident.sessionKept")}</span>
      <button type="button" class="secondary" disabled={session.me.loading} onClick={() => session.retry()} data-testid="session-retry">
        <Icon name="globe" /> {t("session.retry")}
      </button>
    </div>
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
