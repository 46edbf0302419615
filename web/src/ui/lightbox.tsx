/**
 * Evidence photos as tappable thumbnails that open full screen: a modal <dialog> (the browser
 * keeps focus inside it and closes it on Escape), with a close button and, when an application
 * has more than one photo, previous / next buttons and the arrow keys. Only the photos of one
 * application are stepped through, so a reviewer never drifts into another household's evidence.
 *
 * Text evidence (a witness's name) is shown as it is, beside the photos.
 */
import { createSignal, For, onMount, Show } from "solid-js";
import { t } from "../i18n";
import { Icon } from "./icon";
import "./lightbox.css";

/** A photo the page may show: a data URL from the camera, or an image address. */
export function isPhoto(evidence: string): boolean {
  return evidence.startsWith("data:image/") || /^https?:.*\.(jpe?g|png|webp)$/i.test(evidence);
}

export function EvidenceGallery(props: { evidence: string[] }) {
  const photos = () => props.evidence.filter(isPhoto);
  const notes = () => props.evidence.filter((e) => !isPhoto(e));
  const [open, setOpen] = createSignal<number | null>(null);
  return (
    <div class="gallery" data-testid="evidence">
      <For each={photos()}>
        {(src, i) => (
          <button
            type="button"
            class="thumb"
            onClick={() => setOpen(i())}
            aria-label={t("reviewDesk.enlarge", { n: i() + 1, total: photos().length })}
            data-testid="evidence-thumb"
          >
            <img src={src} alt="" />
          </button>
        )}
      </For>
      <For each={notes()}>{(note) => <span class="small">{note}</span>}</For>
      <Show when={open() !== null}>
        <Lightbox photos={photos()} start={open()!} onClose={() => setOpen(null)} />
      </Show>
    </div>
  );
}

export function Lightbox(props: { photos: string[]; start: number; onClose: () => void }) {
  let dialog!: HTMLDialogElement;
  const [index, setIndex] = createSignal(props.start);
  const count = () => props.photos.length;
  const step = (by: number) => setIndex((i) => (i + by + count()) % count());
  onMount(() => dialog.showModal());
  return (
    <dialog
      ref={dialog}
      class="lightbox"
      aria-label={t("reviewDesk.photoOf", { n: index() + 1, total: count() })}
      data-testid="lightbox"
      onClose={() => props.onClose()}
      onKeyDown={(e) => {
        if (count() < 2) return;
        if (e.key === "ArrowRight") step(1);
        else if (e.key === "ArrowLeft") step(-1);
        else return;
        e.preventDefault();
      }}
    >
      <div class="lightbox-bar">
        <span data-testid="lightbox-count">{t("reviewDesk.photoOf", { n: index() + 1, total: count() })}</span>
        <button type="button" class="plain" autofocus onClick={() => dialog.close()} data-testid="lightbox-close">
          <Icon name="x" /> {t("reviewDesk.close")}
        </button>
      </div>
      <img src={props.photos[index()]} alt={t("reviewDesk.photoOf", { n: index() + 1, total: count() })} data-testid="lightbox-image" />
      <Show when={count() > 1}>
        <button type="button" class="plain lightbox-prev" onClick={() => step(-1)} aria-label={t("reviewDesk.prev")} data-testid="lightbox-prev">
          <Icon name="back" />
        </button>
        <button type="button" class="plain lightbox-next" onClick={() => step(1)} aria-label={t("reviewDesk.next")} data-testid="lightbox-next">
          <Icon name="back" />
        </button>
      </Show>
    </dialog>
  );
}
