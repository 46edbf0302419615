/** 积分卡登录: the card number and its PIN; a phone camera scanning the card fills the number. */
import { A, useNavigate, useParams } from "@solidjs/router";
import { createSignal, Show } from "solid-js";
import { limits } from "../../../../shared/limits";
import { ApiError, auth, isId } from "../../api";
import { fmtDate, t } from "../../i18n";
import { session } from "../../session";
import { check, pinProblem } from "../../ui/checks";
import { createAction, ErrorBox } from "../../ui/common";
import { Icon } from "../../ui/icon";
import { SignInPage } from "../../ui/sign-in";

/**
 * A phone camera scanning the card opens /c/<cardNo>.<version>.<sig>: the card number is the
 * part before the first dot (anything that is not a card number is left out). The PIN is still
 * needed, so a lost card alone is not enough.
 */
function cardNoOf(payload: string | undefined): string {
  if (!payload) return "";
  let text: string;
  try {
    text = decodeURIComponent(payload);
  } catch {
    return "";
  }
  const cardNo = text.split(".")[0];
  return isId(cardNo) ? cardNo : "";
}

/**
 * Until when the card's sign-in is locked, from the error of a sign-in: the fifth wrong PIN
 * (PIN_WRONG with `lockedUntil`) or any try while locked (429). A lock of the whole network
 * address (`scope: "address"`) is not the card's and keeps the plain message.
 */
function lockedUntil(error: unknown): string | null {
  if (!(error instanceof ApiError)) return null;
  const details = error.details as { lockedUntil?: unknown; scope?: unknown };
  if (details.scope === "address" || typeof details.lockedUntil !== "string") return null;
  return error.code === "TOO_MANY_ATTEMPTS" || error.code === "PIN_WRONG" ? details.lockedUntil : null;
}

export default function CardLogin() {
  const params = useParams();
  const navigate = useNavigate();
  const [cardNo, setCardNo] = createSignal(cardNoOf(params.payload));
  const [pin, setPin] = createSignal("");
  const action = createAction(async () => {
    check(pinProblem(pin()));
    await auth.cardLogin(cardNo().trim(), pin());
    await session.signedIn();
    navigate("/me", { replace: true });
  });
  return (
    // Signed in already (the card's QR scanned again, a bookmark): SignInPage says who.
    <SignInPage
      action={action}
      other={t("guard.otherCard")}
      icon="card"
      title={t("login.title")}
      hint={<p class="muted">{t("login.hint")}</p>}
      submit={t("login.submit")}
      submitIcon="lock"
      error={
        <Show when={lockedUntil(action.error())} fallback={<ErrorBox error={action.error()} />}>
          {(until) => (
            <div class="error" role="alert" data-testid="card-locked">
              <Icon name="lock" />
              <span>{t("inclusion.locked", { until: fmtDate(until(), true) })}</span>
            </div>
          )}
        </Show>
      }
      after={
        <>
          <p class="muted small">{t("login.scanHint")}</p>
          <A class="btn plain" href="/helper" data-testid="helper-login-link">
            <Icon name="users" /> {t("inclusion.helpers.loginLink")}
          </A>
        </>
      }
    >
      <label for="cardNo">{t("login.cardNo")}</label>
      <input id="cardNo" name="cardNo" autocomplete="username" inputmode="numeric" required maxlength={40} value={cardNo()} onInput={(e) => setCardNo(e.currentTarget.value)} />
      <label for="pin">{t("login.pin")}</label>
      <input
        id="pin"
        name="pin"
        type="password"
        inputmode="numeric"
        autocomplete="current-password"
        maxlength={limits.pinDigitsMax}
        required
        value={pin()}
        onInput={(e) => setPin(e.currentTarget.value)}
      />
    </SignInPage>
  );
}
