/** Staff sign-in (admin, reviewer, volunteer, clerk) with username and password. */
import { useNavigate } from "@solidjs/router";
import { createSignal, Show } from "solid-js";
import { auth } from "../api";
import { t } from "../i18n";
import { homeFor, session } from "../session";
import { createAction, ErrorBox } from "../ui/common";
import { Icon } from "../ui/icon";
import { AlreadySignedIn } from "../ui/role-gate";

export default function StaffLogin() {
  const navigate = useNavigate();
  const [username, setUsername] = createSignal("");
  const [password, setPassword] = createSignal("");
  const action = createAction(async () => {
    await auth.login(username().trim(), password());
    const me = await session.signedIn();
    navigate(homeFor(me), { replace: true });
  });
  return (
    // Signed in already (someone opened /staff from a bookmark): say who, never the form again.
    <Show when={!action.busy() ? session.me() : null} fallback={<Form />}>
      {(me) => <AlreadySignedIn me={me()} other={t("guard.otherUser")} />}
    </Show>
  );

  function Form() {
    return (
      <section class="panel">
        <h1>
          <Icon name="users" /> {t("staff.title")}
        </h1>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void action.run();
          }}
        >
          <label for="username">{t("staff.username")}</label>
          <input id="username" name="username" autocomplete="username" required value={username()} onInput={(e) => setUsername(e.currentTarget.value)} />
          <label for="password">{t("staff.password")}</label>
          <input id="password" name="password" type="password" autocomplete="current-password" required value={password()} onInput={(e) => setPassword(e.currentTarget.value)} />
          <ErrorBox error={action.error()} />
          <button class="big" type="submit" disabled={action.busy()} style={{ "margin-top": "16px" }}>
            <Icon name="lock" />
            {t("staff.submit")}
          </button>
        </form>
      </section>
    );
  }
}
