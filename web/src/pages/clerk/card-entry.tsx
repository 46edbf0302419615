/**
 * Step one at the counter: name the card. A USB scanner types the QR text into the focused field
 * and presses Enter; the camera reads it; and when the card or the camera fails, the clerk types
 * the 12-digit card number on a big number pad and the resident then types the PIN.
 */
import { createSignal, For, Show } from "solid-js";
import { t } from "../../i18n";
import { CameraToggle } from "../../ui/camera-toggle";
import { ErrorBox } from "../../ui/common";
import { Icon } from "../../ui/icon";

/** Card numbers are 12 digits (api/domain/cards.ts). */
export const cardNoDigits = 12;

export function CardEntry(props: {
  onScan: (text: string) => void;
  /** A full card number typed: the page asks for the PIN next. */
  onTyped: (cardNo: string) => void;
  error: unknown;
  camera: boolean;
  onCamera: (open: boolean) => void;
  scanRef: (el: HTMLInputElement) => void;
}) {
  const [scanText, setScanText] = createSignal("");
  const [typing, setTyping] = createSignal(false);
  const [cardNo, setCardNo] = createSignal("");
  const complete = () => cardNo().length === cardNoDigits;
  const setDigits = (text: string) => setCardNo(text.replace(/\D/g, "").slice(0, cardNoDigits));
  const next = () => complete() && props.onTyped(cardNo());

  return (
    <Show
      when={typing()}
      fallback={
        <>
          <h2 style={{ "margin-top": 0 }}>{t("clerk.scanCard")}</h2>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              if (scanText().trim()) props.onScan(scanText());
            }}
          >
            <label for="scan">{t("clerk.scanField")}</label>
            <input id="scan" ref={props.scanRef} autocomplete="off" data-testid="scan-input" value={scanText()} onInput={(e) => setScanText(e.currentTarget.value)} />
            <p class="muted small">{t("clerk.usbHint")}</p>
          </form>
          <ErrorBox error={props.error} />
          <div class="stack">
            <CameraToggle open={props.camera} onOpenChange={props.onCamera} onCode={(text) => props.onScan(text)} />
            <button
              type="button"
              class="big plain"
              data-testid="type-card-no"
              onClick={() => {
                props.onCamera(false);
                setTyping(true);
              }}
            >
              <Icon name="card" /> {t("counter.typeCardNo")}
            </button>
          </div>
        </>
      }
    >
      <h2 style={{ "margin-top": 0 }}>
        <Icon name="card" /> {t("counter.typeCardNo")}
      </h2>
      <p class="muted small">{t("counter.typeHint")}</p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          next();
        }}
      >
        <label for="card-no">{t("counter.cardNoField")}</label>
        <input
          id="card-no"
          class="card-no-field"
          inputmode="numeric"
          autocomplete="off"
          maxlength={cardNoDigits}
          data-testid="card-no"
          value={cardNo()}
          onInput={(e) => {
            setDigits(e.currentTarget.value);
            e.currentTarget.value = cardNo();
          }}
          aria-describedby="card-no-count"
        />
        <p id="card-no-count" class="muted small" aria-live="polite">
          {t("counter.digits", { n: cardNo().length })}
        </p>
      </form>
      <ErrorBox error={props.error} />
      <div class="numpad" data-testid="card-no-pad">
        <For each={["1", "2", "3", "4", "5", "6", "7", "8", "9"]}>
          {(d) => (
            <button type="button" onClick={() => setDigits(cardNo() + d)}>
              {d}
            </button>
          )}
        </For>
        <button type="button" aria-label={t("clerk.pinDelete")} onClick={() => setCardNo(cardNo().slice(0, -1))}>
          <Icon name="back" />
        </button>
        <button type="button" onClick={() => setDigits(cardNo() + "0")}>
          0
        </button>
        <button type="button" class="small" onClick={() => setCardNo("")}>
          {t("counter.clear")}
        </button>
      </div>
      <div class="stack" style={{ "margin-top": "12px" }}>
        <button type="button" class="big ok" disabled={!complete()} onClick={next} data-testid="card-no-next">
          <Icon name="lock" /> {t("counter.toPin")}
        </button>
        <button
          type="button"
          class="plain"
          onClick={() => {
            setTyping(false);
            setCardNo("");
          }}
        >
          <Icon name="back" /> {t("counter.backToScan")}
        </button>
      </div>
    </Show>
  );
}
