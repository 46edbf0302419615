/**
 * Camera QR scanning. Uses the browser's BarcodeDetector where it exists (many phones) and
 * falls back to jsqr, loaded only when needed (Debian's Chromium has no BarcodeDetector).
 * A refused or missing camera gives a clear message; the typed-number path always remains.
 */
import { createSignal, onCleanup, onMount, Show } from "solid-js";
import { t } from "../i18n";
import { Icon } from "./icon";

type Decode = (video: HTMLVideoElement) => Promise<string | null>;
/** The Shape Detection API's BarcodeDetector, where the browser has one (not yet in TypeScript's DOM types). */
type BarcodeDetectorClass = new (options: { formats: string[] }) => { detect(source: HTMLVideoElement): Promise<{ rawValue: string }[]> };

async function makeDecoder(): Promise<Decode> {
  const Detector = (globalThis as { BarcodeDetector?: BarcodeDetectorClass }).BarcodeDetector;
  if (Detector) {
    try {
      const detector = new Detector({ formats: ["qr_code"] });
      return async (video) => {
        const codes = await detector.detect(video);
        return codes[0]?.rawValue ?? null;
      };
    } catch {
      /* fall through to jsqr */
    }
  }
  const { default: jsQR } = await import("jsqr");
  const canvas = document.createElement("canvas");
  const ctx = canvas.getContext("2d", { willReadFrequently: true })!;
  return async (video) => {
    const width = video.videoWidth;
    const height = video.videoHeight;
    if (!width || !height) return null;
    // Decoding a downscaled frame is much faster on cheap devices and still reads a card.
    const scale = Math.min(1, 640 / Math.max(width, height));
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
    const image = ctx.getImageData(0, 0, canvas.width, canvas.height);
    return jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" })?.data ?? null;
  };
}

export function Scanner(props: { onCode: (text: string) => void; continuous?: boolean; label?: string }) {
  let video!: HTMLVideoElement;
  let stream: MediaStream | undefined;
  let timer: number | undefined;
  let stopped = false;
  const [problem, setProblem] = createSignal<string | null>(null);
  const [running, setRunning] = createSignal(false);
  const recent = new Map<string, number>();

  onMount(async () => {
    if (!navigator.mediaDevices?.getUserMedia) {
      setProblem(t("scan.noCamera"));
      return;
    }
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
    } catch (err) {
      const name = (err as DOMException).name;
      setProblem(name === "NotAllowedError" || name === "SecurityError" ? t("scan.refused") : t("scan.noCamera"));
      return;
    }
    if (stopped) return stream.getTracks().forEach((track) => track.stop());
    video.srcObject = stream;
    await video.play().catch(() => undefined);
    setRunning(true);
    const decode = await makeDecoder();
    const tick = async () => {
      if (stopped) return;
      try {
        const text = await decode(video);
        // In continuous mode the same card held in front of the camera counts once.
        if (text && Date.now() - (recent.get(text) ?? 0) > 3000) {
          recent.set(text, Date.now());
          props.onCode(text);
          if (!props.continuous) return;
        }
      } catch {
        /* a frame that cannot be read: try the next one */
      }
      timer = window.setTimeout(tick, 150);
    };
    void tick();
  });

  onCleanup(() => {
    stopped = true;
    if (timer) clearTimeout(timer);
    stream?.getTracks().forEach((track) => track.stop());
  });

  return (
    <div class="scanner" data-testid="scanner">
      <Show when={problem()}>
        <div class="error" role="alert" data-testid="camera-problem">
          <Icon name="alert" />
          <span>{problem()}</span>
        </div>
      </Show>
      <Show when={!problem()}>
        <video ref={video} muted playsinline aria-label={props.label ?? t("scan.video")} />
        <p class="muted small" role="status">
          {running() ? t("scan.hold") : t("scan.starting")}
        </p>
      </Show>
    </div>
  );
}
