/**
 * The PIN pad the resident types on: it says what the PIN is for — the basket's amount and the
 * household, or the typed card number — so nobody confirms a sum they have not seen.
 */
import { For, Show, type JSX } from "solid-js";
import { limits } from "../../../../shared/limits";
import { t } from "../../i18n";
import { ErrorBox } from "../../ui/common";
import { Icon } from "../../ui/icon";

export function PinPad(props: {
  value: string;
  onInput: (v: string) => void;
  onOk: () => void;
  onCancel: () => void;
  error: unknown;
  busy: boolean;
  /** What the PIN confirms: the amount and the household, or the card number. */
  context: JSX.Element;
  hint: string;
}) {
  const press = (d: string) => props.value.length < limits.pinDigitsMax && props.onInput(props.value + d);
  return (
    <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="pin-title" aria-describedby="pin-context" data-testid="pinpad">
      <div>
        <h2 id="pin-title" style={{ "margin-top": 0 }}>
          <Icon name="lock" /> {t("clerk.pinTitle")}
        </h2>
        <div id="pin-context" class="pin-context" data-testid="pin-context">
          {props.context}
        </div>
        <p class="muted small" style={{ margin: "0 0 4px", "text-align": "center" }}>
          {props.hint}
        </p>
        <div class="pin-dots" role="status" aria-label={t("clerk.pinEntered", { n: props.value.length })}>
          {"●".repeat(props.value.length) || "\u00a0"}
        </div>
        <Show when={props.error}>
          <ErrorBox error={props.error} />
        </Show>
        <div class="pinpad">
          <For each={["1", "2", "3", "4", "5", "6", "7", "8", "9"]}>
            {(d) => (
              <button type="button" onClick={() => press(d)}>
                {d}
              </button>
            )}
          </For>
          <button type="button" aria-label={t("clerk.pinDelete")} onClick={() => props.onInput(props.value.slice(0, -1))}>
            <Icon name="back" />
          </button>
          <button type="button" onClick={() => press("0")}>
            0
          </button>
          <button type="button" class="ok" aria-label={t("clerk.pinOk")} disabled={props.value.length < limits.pinDigitsMin || props.busy} onClick={props.onOk} data-testid="pin-ok">
            <Icon name="check" />
          </button>
        </div>
        <button class="plain big" style={{ "margin-top": "12px" }} onClick={props.onCancel}>
          <Icon name="x" /> {t("common.cancel")}
        </button>
      </div>
    </div>
  );
}
