/**
 * Who may open a page. Every signed-in area is wrapped in `RoleGate` at its route (main.tsx),
 * so a page's own code runs only for the roles it is for: a volunteer who opens /admin, or a
 * resident who opens /review, is told whose page it is and given a big link to their own start
 * page, instead of a page that asks the server for what it will refuse (an endless 正在加载…,
 * a bounce to a sign-in form while signed in, an uncaught error).
 */
import { A, Navigate, useNavigate } from "@solidjs/router";
import { Match, Show, Switch, type JSX } from "solid-js";
import type { Me } from "../api";
import { t } from "../i18n";
import { homeFor, roleOf, session, signOut } from "../session";
import { Loading } from "./common";
import { Icon } from "./icon";

export type PageRole = "admin" | "reviewer" | "volunteer" | "clerk" | "resident" | "officer";

/**
 * A role in words: 管理员, 认定小组, 志愿者 / 楼长, 超市店员 (the staff dictionary, so a role added
 * there is named too), 居民, 系统; a role with no words is shown as it is.
 */
export function roleName(role: string): string {
  if (role === "resident") return t("guard.resident");
  if (role === "system") return t("guard.system");
  const words: unknown = t(`users.${role}` as "users.admin");
  return typeof words === "string" && words ? words : role;
}

/** Who is signed in, in words: the staff member's name, or the household's head. */
export function nameOf(me: Me): string {
  return me.user?.name ?? me.household?.headName ?? "";
}

export function RoleGate(props: { roles: PageRole[]; children: JSX.Element }) {
  const allowed = (me: Me) => props.roles.some((role) => role === roleOf(me));
  return (
    <Switch fallback={<Loading />}>
      <Match when={session.me() === null}>
        {/* Signed out: the sign-in of the people the page is for. */}
        <Navigate href={props.roles.includes("resident") ? "/login" : "/staff"} />
      </Match>
      <Match when={session.me()}>
        {(me) => (
          <Show when={allowed(me())} fallback={<NotForYou roles={props.roles} me={me()} />}>
            {props.children}
          </Show>
        )}
      </Match>
    </Switch>
  );
}

/** "这个页面是给管理员用的": whose page this is, who is signed in, and the way to their own page. */
export function NotForYou(props: { roles: PageRole[]; me: Me }) {
  const navigate = useNavigate();
  return (
    <section class="panel" role="alert" data-testid="role-guard">
      <h1 style={{ "margin-top": 0 }}>
        <Icon name="lock" /> {t("guard.title", { who: props.roles.map(roleName).join(t("guard.separator")) })}
      </h1>
      <p>{t("guard.signedInAs", { name: nameOf(props.me), role: roleName(roleOf(props.me)) })}</p>
      <A class="btn big" href={homeFor(props.me)} data-testid="guard-home">
        <Icon name="home" /> {t("guard.home")}
      </A>
      <button
        type="button"
        class="plain"
        style={{ "margin-top": "12px", width: "100%" }}
        onClick={async () => {
          await signOut();
          navigate(props.roles.includes("resident") ? "/login" : "/staff", { replace: true });
        }}
      >
        <Icon name="logout" /> {t("guard.switchUser")}
      </button>
    </section>
  );
}

/** On a sign-in page while signed in: who it is, their start page, and how to switch. */
export function AlreadySignedIn(props: { me: Me; other: string }) {
  const navigate = useNavigate();
  return (
    <section class="panel" role="status" data-testid="already-signed-in">
      <h1 style={{ "margin-top": 0 }}>
        <Icon name="check" /> {t("guard.already")}
      </h1>
      <p>{t("guard.signedInAs", { name: nameOf(props.me), role: roleName(roleOf(props.me)) })}</p>
      <A class="btn big" href={homeFor(props.me)} data-testid="guard-home">
        <Icon name="home" /> {t("guard.home")}
      </A>
      <p class="muted">{props.other}</p>
      <button
        type="button"
        class="plain"
        style={{ width: "100%" }}
        onClick={async () => {
          await signOut();
          navigate(location.pathname, { replace: true });
        }}
        data-testid="switch-user"
      >
        <Icon name="logout" /> {t("guard.switchUser")}
      </button>
    </section>
  );
}
