/** Where an application stands in the seven procedures (通知 → 兑换), drawn as seven segments. */
import { For } from "solid-js";
import { t } from "../i18n";

const steps = ["notify", "apply", "certify", "register", "publicise", "topup", "redeem"] as const;

/** Index of the step in progress, and whether the application stopped there. */
export function stepOf(status: string): { at: number; stopped: boolean } {
  switch (status) {
    case "submitted":
      return { at: 2, stopped: false };
    case "rejected":
      return { at: 2, stopped: true };
    case "registered":
      return { at: 4, stopped: false };
    case "publicised":
      return { at: 4, stopped: false };
    case "cancelled":
      return { at: 4, stopped: true };
    case "credited":
      return { at: 6, stopped: false };
    default:
      return { at: 1, stopped: false };
  }
}

export function Steps(props: { status: string }) {
  const pos = () => stepOf(props.status);
  return (
    <ol class="steps" aria-label={t("steps.label", { step: t(`steps.${steps[pos().at]}`) })}>
      <For each={[...steps]}>
        {(step, i) => (
          <li
            classList={{
              done: i() < pos().at,
              now: i() === pos().at && !pos().stopped,
              stop: i() === pos().at && pos().stopped,
            }}
            aria-current={i() === pos().at ? "step" : undefined}
          >
            {t(`steps.${step}`)}
          </li>
        )}
      </For>
    </ol>
  );
}
