/**
 * Camera scanning: the card's QR, or a product's barcode at the till. Uses the browser's
 * BarcodeDetector where it exists (many phones: EAN-13, EAN-8, UPC-A and UPC-E) and falls back to
 * decoders written in JavaScript, loaded only when the camera opens: jsqr for the QR and
 * @zxing/library's UPC/EAN reader for products (Debian's Chromium has no BarcodeDetector, and our
 * CSP allows no WebAssembly, so a WASM decoder is not an option). That fallback reads EAN-13,
 * EAN-8 and UPC-A but not UPC-E, whose reader in @zxing/library never succeeds
 * (https://github.com/zxing-js/library/issues/573); UPC-E is rare on goods sold in China (EAN-13
 * and EAN-8), and a USB scanner or the search box still takes it. A refused or missing camera
 * gives a clear message; the typed-number path always remains.
 */
import { createSignal, onCleanup, onMount, Show } from "solid-js";
import { t } from "../i18n";
import { Icon } from "./icon";

/** What the camera reads: the card's QR, or a product's 1-D barcode. */
export type ScanTarget = "qr" | "product";

type Decode = (video: HTMLVideoElement) => Promise<string | null>;
/** The Shape Detection API's BarcodeDetector, where the browser has one (not yet in TypeScript's DOM types). */
type BarcodeDetectorClass = {
  new (options: { formats: string[] }): { detect(source: HTMLVideoElement): Promise<{ rawValue: string; format: string }[]> };
  getSupportedFormats?: () => Promise<string[]>;
};

const productFormats = ["ean_13", "ean_8", "upc_a", "upc_e"];

/**
 * UPC-E (8 digits, zeros suppressed) written out as the UPC-A it stands for, so a product is
 * looked up by one number whichever way its barcode was printed. Returns null for a code that is
 * not UPC-E (number system 0 or 1).
 */
export function upcEToUpcA(upcE: string): string | null {
  if (!/^[01]\d{7}$/.test(upcE)) return null;
  const [ns, d1, d2, d3, d4, d5, d6, check] = upcE;
  const body =
    d6 === "0" || d6 === "1" || d6 === "2"
      ? `${d1}${d2}${d6}0000${d3}${d4}${d5}`
      : d6 === "3"
        ? `${d1}${d2}${d3}00000${d4}${d5}`
        : d6 === "4"
          ? `${d1}${d2}${d3}${d4}00000${d5}`
          : `${d1}${d2}${d3}${d4}${d5}0000${d6}`;
  return `${ns}${body}${check}`;
}

/** A product code as the till stores it: UPC-E written out as UPC-A; the others as read. */
function productText(format: string, text: string): string {
  return format === "upc_e" || format === "UPC_E" ? (upcEToUpcA(text) ?? text) : text;
}

/** The video frame drawn onto a canvas at most `maxSide` pixels wide or high. */
function frameReader(maxSide: number) {
  const canvas = document.createElement("canvas");
  const ctx = canvas.getContext("2d", { willReadFrequently: true })!;
  return (video: HTMLVideoElement): ImageData | null => {
    const width = video.videoWidth;
    const height = video.videoHeight;
    if (!width || !height) return null;
    const scale = Math.min(1, maxSide / Math.max(width, height));
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
    return ctx.getImageData(0, 0, canvas.width, canvas.height);
  };
}

async function nativeDecoder(target: ScanTarget): Promise<Decode | null> {
  const Detector = (globalThis as { BarcodeDetector?: BarcodeDetectorClass }).BarcodeDetector;
  if (!Detector) return null;
  try {
    const wanted = target === "qr" ? ["qr_code"] : productFormats;
    const supported = (await Detector.getSupportedFormats?.()) ?? wanted;
    const formats = wanted.filter((f) => supported.includes(f));
    // A detector without the main format (QR, or EAN-13 for goods) is no better than the fallback.
    if (!formats.includes(wanted[0])) return null;
    const detector = new Detector({ formats });
    return async (video) => {
      const code = (await detector.detect(video))[0];
      return code ? (target === "qr" ? code.rawValue : productText(code.format, code.rawValue)) : null;
    };
  } catch {
    return null;
  }
}

const loadJsQR = () => import("jsqr");
const loadZxing = () =>
  Promise.all([
    import("@zxing/library/esm/core/oned/MultiFormatUPCEANReader"),
    import("@zxing/library/esm/core/BinaryBitmap"),
    import("@zxing/library/esm/core/common/HybridBinarizer"),
    import("@zxing/library/esm/core/RGBLuminanceSource"),
    import("@zxing/library/esm/core/DecodeHintType"),
    import("@zxing/library/esm/core/BarcodeFormat"),
  ]);

/**
 * Fetches both decoders ahead, while the network is there: the service worker keeps what was
 * fetched, so a counter that goes offline before its camera was ever opened still reads cards
 * and products. Failures are ignored (the camera then says it cannot read, see below).
 */
export function prefetchDecoders(): void {
  void loadJsQR().catch(() => undefined);
  void loadZxing().catch(() => undefined);
}

async function qrDecoder(): Promise<Decode> {
  const { default: jsQR } = await loadJsQR();
  // Decoding a downscaled frame is much faster on cheap devices and still reads a card.
  const frame = frameReader(640);
  return async (video) => {
    const image = frame(video);
    return image ? (jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" })?.data ?? null) : null;
  };
}

/**
 * Product barcodes with @zxing/library's UPC/EAN reader alone (imported by path: the library's
 * index would bring every other format into the chunk). It scans rows of the frame, so a
 * barcode held at any height is read; the frame is kept larger than for the QR, since thin bars
 * do not survive much downscaling.
 */
async function productDecoder(): Promise<Decode> {
  const [{ default: Reader }, { default: BinaryBitmap }, { default: HybridBinarizer }, { default: RGBLuminanceSource }, { default: DecodeHintType }, { default: BarcodeFormat }] =
    await loadZxing();
  const hints = new Map<number, unknown>([
    // Not UPC_E: that reader fails on every code (see the top of this file) and would only cost time.
    [DecodeHintType.POSSIBLE_FORMATS, [BarcodeFormat.EAN_13, BarcodeFormat.EAN_8, BarcodeFormat.UPC_A]],
    [DecodeHintType.TRY_HARDER, true],
  ]);
  const reader = new Reader(hints);
  const frame = frameReader(960);
  return async (video) => {
    const image = frame(video);
    if (!image) return null;
    const pixels = image.data;
    const grey = new Uint8ClampedArray(image.width * image.height);
    for (let i = 0, p = 0; i < grey.length; i++, p += 4) grey[i] = (pixels[p] * 77 + pixels[p + 1] * 150 + pixels[p + 2] * 29) >> 8;
    try {
      const result = reader.decode(new BinaryBitmap(new HybridBinarizer(new RGBLuminanceSource(grey, image.width, image.height))), hints);
      return productText(BarcodeFormat[result.getBarcodeFormat()], result.getText());
    } catch {
      // zxing throws NotFoundException for a frame without a barcode.
      return null;
    } finally {
      reader.reset();
    }
  };
}

async function makeDecoder(target: ScanTarget): Promise<Decode> {
  return (await nativeDecoder(target)) ?? (target === "qr" ? qrDecoder() : productDecoder());
}

/**
 * How long a code must be out of sight before it counts again. A product held in front of the
 * camera is added once; shown again (the second packet of the same noodles), it is added again.
 */
const productGoneMs = 1500;

export function Scanner(props: {
  onCode: (text: string) => void;
  continuous?: boolean;
  label?: string;
  /** The card's QR (the default) or product barcodes. */
  target?: ScanTarget;
}) {
  const target = props.target ?? "qr";
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
    let decode: Decode;
    try {
      decode = await makeDecoder(target);
    } catch {
      // The decoder's script could not be fetched (offline, and never fetched before).
      stream.getTracks().forEach((track) => track.stop());
      setProblem(t("scan.noDecoder"));
      return;
    }
    const tick = async () => {
      if (stopped) return;
      try {
        const text = await decode(video);
        // In continuous mode the same card held in front of the camera counts once; a product
        // counts again once it has been out of sight (recent then holds when it was last seen).
        const now = Date.now();
        const last = recent.get(text ?? "") ?? 0;
        if (text && target === "product") recent.set(text, now);
        if (text && now - last > (target === "product" ? productGoneMs : 3000)) {
          recent.set(text, now);
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
          {running() ? (target === "product" ? t("scan.holdProduct") : t("scan.hold")) : t("scan.starting")}
        </p>
      </Show>
    </div>
  );
}
