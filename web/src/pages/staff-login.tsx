/** Staff sign-in (admin, reviewer, volunteer, clerk) with username and password. */
import { useNavigate } from "@solidjs/router";
import { createSignal } from "solid-js";
import { auth } from "../api";
import { t } from "../i18n";
import { homeFor, session } from "../session";
import { createAction } from "../ui/common";
import { SignInPage } from "../ui/sign-in";

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
    <SignInPage action={action} other={t("guard.otherUser")} icon="users" title={t("staff.title")} submit={t("staff.submit")} submitIcon="lock">
      <label for="username">{t("staff.username")}</label>
      <input id="username" name="username" autocomplete="username" required value={username()} onInput={(e) => setUsername(e.currentTarget.value)} />
      <label for="password">{t("staff.password")}</label>
      <input id="password" name="password" type="password" autocomplete="current-password" required value={password()} onInput={(e) => setPassword(e.currentTarget.value)} />
    </SignInPage>
  );
}
