/**
 * 朗读: one big button that reads the page's content aloud with the browser's own speech
 * synthesis (no server, no download), in Chinese, or in English when the app is in English.
 * Where the phone has no voice for the language, the button says so instead of staying silent.
 */
import { createSignal, onCleanup, Show } from "solid-js";
import { currentLang, t } from "../i18n";
import type { Lang } from "../i18n/lang";
import { Icon } from "./icon";

type State = "idle" | "checking" | "speaking" | "noVoice";

/** The BCP 47 tag spoken for the app's language. */
export function speechLang(lang: Lang): string {
  return lang === "zh" ? "zh-CN" : "en-GB";
}

/** Whether a voice speaks `lang` (zh-CN matches zh-CN, zh_CN and cmn-Hans-CN; en-GB any English). */
function speaks(voice: SpeechSynthesisVoice, lang: Lang): boolean {
  const tag = voice.lang.replace("_", "-").toLowerCase();
  return lang === "zh" ? tag.startsWith("zh") || tag.startsWith("cmn") : tag.startsWith("en");
}

/** How long to wait for the voice list: browsers fill it in a moment after the page loads. */
const voicesWaitMs = 1500;

/**
 * The voices for `lang`, best first (the exact tag, then the same language). The list is often
 * empty until `voiceschanged` fires, so an empty list is waited for once before it is believed.
 */
async function voicesFor(lang: Lang): Promise<SpeechSynthesisVoice[]> {
  const synth = window.speechSynthesis;
  let voices = synth.getVoices();
  if (voices.length === 0) {
    voices = await new Promise<SpeechSynthesisVoice[]>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        synth.removeEventListener("voiceschanged", done);
        resolve(synth.getVoices());
      };
      const timer = setTimeout(done, voicesWaitMs);
      synth.addEventListener("voiceschanged", done);
    });
  }
  const tag = speechLang(lang).toLowerCase();
  return voices.filter((v) => speaks(v, lang)).sort((a, b) => Number(b.lang.replace("_", "-").toLowerCase() === tag) - Number(a.lang.replace("_", "-").toLowerCase() === tag));
}

/**
 * The button. `text` builds what to say when pressed (it may fetch, e.g. the last entries);
 * pressing again while it speaks stops it.
 */
export function ReadAloud(props: { text: (lang: Lang) => string | Promise<string>; label?: string; testid?: string }) {
  const [state, setState] = createSignal<State>("idle");
  const supported = typeof window !== "undefined" && "speechSynthesis" in window && typeof SpeechSynthesisUtterance !== "undefined";
  onCleanup(() => {
    if (supported && state() === "speaking") window.speechSynthesis.cancel();
  });

  async function press() {
    if (!supported) return setState("noVoice");
    const synth = window.speechSynthesis;
    if (state() === "speaking") {
      synth.cancel();
      return setState("idle");
    }
    const lang = currentLang();
    setState("checking");
    const [voices, text] = await Promise.all([voicesFor(lang), Promise.resolve(props.text(lang)).catch(() => "")]);
    if (voices.length === 0) return setState("noVoice");
    if (!text) return setState("idle");
    const utterance = new SpeechSynthesisUtterance(text);
    utterance.lang = speechLang(lang);
    try {
      utterance.voice = voices[0];
    } catch {
      /* a voice object the browser does not accept: the lang alone picks one */
    }
    utterance.rate = 0.9; // a little slower than the default, for older listeners
    utterance.onend = () => setState("idle");
    utterance.onerror = () => setState("idle");
    synth.cancel(); // anything still queued from an earlier page
    setState("speaking");
    synth.speak(utterance);
  }

  return (
    <div class="read-aloud no-print">
      <button
        type="button"
        class="big secondary"
        aria-pressed={state() === "speaking"}
        disabled={state() === "checking"}
        onClick={() => void press()}
        data-testid={props.testid ?? "read-aloud"}
        data-state={state()}
      >
        <Icon name={state() === "noVoice" ? "volumeOff" : "volume"} />
        {state() === "speaking" ? t("inclusion.readStop") : state() === "noVoice" ? t("inclusion.noVoice") : (props.label ?? t("inclusion.readAloud"))}
      </button>
      <Show when={state() === "noVoice"}>
        <p class="small muted" role="status" data-testid="no-voice">
          {t("inclusion.noVoiceHint")}
        </p>
      </Show>
    </div>
  );
}
