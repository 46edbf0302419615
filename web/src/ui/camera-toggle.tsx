/**
 * "Use the camera" / "Stop the camera" around the scanner: the camera runs only while asked
 * for, and the typed or USB-scanner path beside it always remains.
 */
import { createSignal, Show } from "solid-js";
import { t } from "../i18n";
import { Icon } from "./icon";
import { Scanner, type ScanTarget } from "./scanner";

export function CameraToggle(props: {
  onCode: (text: string) => void;
  /** Keep scanning after a code (a volunteer's list), instead of stopping at the first. */
  continuous?: boolean;
  /** Controlled use: the page turns the camera off itself (after a card is read, say). */
  open?: boolean;
  onOpenChange?: (open: boolean) => void;
  /** What the camera reads: the card's QR (the default) or product barcodes at the till. */
  target?: ScanTarget;
}) {
  const [own, setOwn] = createSignal(false);
  const open = () => props.open ?? own();
  const setOpen = (next: boolean) => {
    setOwn(next);
    props.onOpenChange?.(next);
  };
  const products = () => props.target === "product";
  return (
    <Show
      when={open()}
      fallback={
        <button type="button" class="big secondary" onClick={() => setOpen(true)} data-testid={products() ? "product-camera-start" : "camera-start"}>
          <Icon name="camera" /> {products() ? t("till.useCamera") : t("clerk.useCamera")}
        </button>
      }
    >
      <Scanner continuous={props.continuous} onCode={props.onCode} target={props.target} />
      <button type="button" class="plain" onClick={() => setOpen(false)} data-testid={products() ? "product-camera-stop" : undefined}>
        <Icon name="x" /> {t("clerk.stopCamera")}
      </button>
    </Show>
  );
}
