/**
 * Large type (大字): A, A+ and A++ for the resident's pages, remembered on this phone. The whole
 * layout is sized in rem, so the choice sets the root font size (styles.css reads
 * `html[data-text-size]`), and every page grows with it without scrolling sideways.
 */
import { createSignal, For } from "solid-js";
import { t } from "../i18n";
import { Icon } from "./icon";
import "./inclusion.css";

export const textSizes = ["normal", "large", "larger"] as const;
export type TextSize = (typeof textSizes)[number];
const storageKey = "sf-text-size";

function stored(): TextSize {
  try {
    const value = localStorage.getItem(storageKey);
    return (textSizes as readonly string[]).includes(value ?? "") ? (value as TextSize) : "normal";
  } catch {
    return "normal";
  }
}

const [size, setSize] = createSignal<TextSize>(typeof window === "undefined" ? "normal" : stored());

export const textSize = size;

/** Chooses a size and keeps it on the device. */
export function chooseTextSize(next: TextSize) {
  try {
    localStorage.setItem(storageKey, next);
  } catch {
    /* private mode: the choice lasts for this visit */
  }
  setSize(next);
}

/** Puts the size on the page (on the resident's pages only: staff screens keep their layout). */
export function applyTextSize(on: boolean) {
  const root = document.documentElement;
  if (on && size() !== "normal") root.dataset.textSize = size();
  else delete root.dataset.textSize;
}

const labels: Record<TextSize, string> = { normal: "A", large: "A+", larger: "A++" };

/** The switch: three big buttons, the chosen one pressed. */
export function TextSizeSwitch() {
  return (
    <div class="text-size no-print" role="group" aria-label={t("inclusion.textSize")} data-testid="text-size">
      <Icon name="type" size={20} />
      <For each={textSizes}>
        {(choice) => (
          <button
            type="button"
            class="plain"
            aria-pressed={size() === choice}
            aria-label={`${labels[choice]} ${t(`inclusion.size.${choice}`)}`}
            onClick={() => chooseTextSize(choice)}
            data-testid={`text-size-${choice}`}
          >
            {labels[choice]}
          </button>
        )}
      </For>
    </div>
  );
}
