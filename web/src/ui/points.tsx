/**
 * Points that read the right way round. A penalty (惩戒) is decided, registered and publicised
 * exactly like an award, so the same lists carry both; here a penalty is always red and said as
 * a deduction ("扣 3 分", "已扣分"), never a green "+3" or 已充值到卡.
 */
import { Show } from "solid-js";
import { fmtPoints, t } from "../i18n";
import { StatusBadge } from "./status-badge";

export function isPenalty(kind: string | null | undefined): boolean {
  return kind === "penalty";
}

/** "+5 分" in green for an award, "扣 3 分" in red for a penalty (points are given unsigned or signed). */
export function SignedPoints(props: { kind: string; points: number }) {
  const n = () => fmtPoints(Math.abs(props.points));
  return (
    <span class={`pts ${isPenalty(props.kind) ? "minus" : "plus"}`} data-kind={props.kind}>
      {isPenalty(props.kind) ? t("penalty.points", { n: n() }) : t("penalty.award", { n: n() })}
    </span>
  );
}

/** Where an application stands; a credited penalty says 已扣分 in red instead of 已充值到卡. */
export function ApplicationBadge(props: { status: string; kind: string }) {
  return (
    <Show when={isPenalty(props.kind) && props.status === "credited"} fallback={<StatusBadge status={props.status} />}>
      <span class="badge bad">{t("penalty.credited")}</span>
    </Show>
  );
}

/** The small red "扣分" tag beside a penalty's title. */
export function PenaltyTag(props: { kind: string }) {
  return (
    <Show when={isPenalty(props.kind)}>
      <span class="badge bad penalty-tag">{t("penalty.tag")}</span>
    </Show>
  );
}
