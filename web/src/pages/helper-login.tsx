/**
 * 亲情代理登录: a family member's phone signs in with the helper code the community gave the
 * household, and then opens the household's pages (balance, history, the one-time payment code).
 */
import { useNavigate } from "@solidjs/router";
import { createSignal } from "solid-js";
import { limits } from "../../../shared/limits";
import { inclusion } from "../api";
import { t } from "../i18n";
import { session } from "../session";
import { createAction } from "../ui/common";
import { SignInPage } from "../ui/sign-in";

export default function HelperLogin() {
  const navigate = useNavigate();
  const [code, setCode] = createSignal("");
  const action = createAction(async () => {
    await inclusion.helperLogin(code().trim());
    await session.signedIn();
    navigate("/me", { replace: true });
  });
  return (
    <SignInPage
      action={action}
      other={t("guard.otherCard")}
      icon="users"
      title={t("inclusion.helpers.loginTitle")}
      hint={<p>{t("inclusion.helpers.loginHint")}</p>}
      submit={t("inclusion.helpers.loginSubmit")}
      submitIcon="key"
      submitTestid="helper-submit"
    >
      <label for="helper-code">{t("inclusion.helpers.loginCode")}</label>
      <input
        id="helper-code"
        name="code"
        autocomplete="off"
        autocapitalize="characters"
        spellcheck={false}
        required
        maxlength={limits.helperCodeLengthMax}
        value={code()}
        onInput={(e) => setCode(e.currentTarget.value)}
      />
    </SignInPage>
  );
}
