/**
 * 亲情代理登录: a family member's phone signs in with the helper code the community gave the
 * household, and then opens the household's pages (balance, history, the one-time payment code).
 */
import { useNavigate } from "@solidjs/router";
import { createSignal, Show } from "solid-js";
import { limits } from "../../../shared/limits";
import { inclusion } from "../api";
import { t } from "../i18n";
import { session } from "../session";
import { createAction, ErrorBox } from "../ui/common";
import { Icon } from "../ui/icon";
import { AlreadySignedIn } from "../ui/role-gate";

export default function HelperLogin() {
  const navigate = useNavigate();
  const [code, setCode] = createSignal("");
  const action = createAction(async () => {
    await inclusion.helperLogin(code().trim());
    await session.signedIn();
    navigate("/me", { replace: true });
  });
  return (
    <Show when={!action.busy() ? session.me() : null} fallback={<Form />}>
      {(me) => <AlreadySignedIn me={me()} other={t("guard.otherCard")} />}
    </Show>
  );

  function Form() {
    return (
      <section class="panel">
        <h1>
          <Icon name="users" /> {t("inclusion.helpers.loginTitle")}
        </h1>
        <p>{t("inclusion.helpers.loginHint")}</p>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void action.run();
          }}
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
          <ErrorBox error={action.error()} />
          <button class="big" type="submit" disabled={action.busy()} style={{ "margin-top": "16px" }} data-testid="helper-submit">
            <Icon name="key" />
            {t("inclusion.helpers.loginSubmit")}
          </button>
        </form>
      </section>
    );
  }
}
