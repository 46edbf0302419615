/**
 * One waiting application: the rule (a penalty tagged and its points said as a deduction), what
 * was done, by whom, when, a likely-duplicate mark, the evidence (tap to enlarge), then the points
 * and approve, or reject with a reason. The points live in the page, shared with the bulk
 * confirmation; the server checks the rule's range.
 */
import { createSignal, Show } from "solid-js";
import { applications, type Application } from "../../api";
import { categoryName, fmtDate, t } from "../../i18n";
import { createAction, ErrorBox } from "../../ui/common";
import { Icon } from "../../ui/icon";
import { EvidenceGallery } from "../../ui/lightbox";
import { isPenalty, PenaltyTag, SignedPoints } from "../../ui/points";

export function QueueItem(props: {
  application: Application;
  checked: boolean;
  onCheck: (on: boolean) => void;
  points: number;
  onPoints: (n: number) => void;
  onDone: () => void;
}) {
  const a = () => props.application;
  const rule = () => props.application.rule;
  const [reason, setReason] = createSignal("");
  const [rejecting, setRejecting] = createSignal(false);
  const approve = createAction(async () => {
    await applications.certify(a().id, { decision: "approve", points: props.points });
    props.onDone();
  });
  const reject = createAction(async () => {
    await applications.certify(a().id, { decision: "reject", reason: reason().trim() });
    props.onDone();
  });
  return (
    <li data-testid="queue-item" data-application-id={a().id} data-kind={rule().kind} classList={{ penalty: isPenalty(rule().kind) }}>
      <div class="queue-head">
        <input
          type="checkbox"
          class="pick"
          checked={props.checked}
          onChange={(e) => props.onCheck(e.currentTarget.checked)}
          aria-label={t("review.select", { what: `${a().household.headName} · ${rule().title}` })}
        />
        <div>
          <PenaltyTag kind={rule().kind} /> <strong>{rule().title}</strong> <span class="badge">{categoryName(rule().category)}</span>
          <div>{a().description}</div>
          <Show when={a().memberName}>
            <div class="muted small">{t("apps.member", { name: a().memberName! })}</div>
          </Show>
          <div class="muted small">{fmtDate(a().createdAt, true)}</div>
          <Show when={a().likelyDuplicateOf?.length}>
            <div class="small" data-testid="likely-duplicate">
              <span class="badge warn">
                <Icon name="alert" /> {t("office.likelyDuplicate", { n: a().likelyDuplicateOf.length })}
              </span>
            </div>
          </Show>
          <Show when={a().evidence?.length}>
            <EvidenceGallery evidence={a().evidence} />
          </Show>
        </div>
      </div>
      <div class="row queue-actions">
        <label class="sr-only" for={`pts-${a().id}`}>
          {isPenalty(rule().kind) ? t("reviewDesk.penaltyPoints") : t("review.points")}
        </label>
        <input
          id={`pts-${a().id}`}
          type="number"
          inputMode="numeric"
          class="points-input"
          min={rule().minPoints}
          max={rule().maxPoints}
          value={Number.isFinite(props.points) ? props.points : ""}
          onInput={(e) => props.onPoints(e.currentTarget.value === "" ? Number.NaN : Number(e.currentTarget.value))}
        />
        <span class="muted small">{t("apply.range", { min: rule().minPoints, max: rule().maxPoints })}</span>
        <Show when={Number.isFinite(props.points)}>
          <SignedPoints kind={rule().kind} points={props.points} />
        </Show>
        <button class="ok" disabled={approve.busy() || !Number.isInteger(props.points)} onClick={() => void approve.run()} data-testid="approve">
          <Icon name="check" /> {t("review.approve")}
        </button>
        <button class="secondary" onClick={() => setRejecting(!rejecting())} data-testid="reject">
          <Icon name="x" /> {t("review.reject")}
        </button>
      </div>
      <Show when={rejecting()}>
        <label for={`reason-${a().id}`}>{t("review.reason")}</label>
        <div class="row">
          <input id={`reason-${a().id}`} value={reason()} onInput={(e) => setReason(e.currentTarget.value)} />
          <button style={{ flex: "none" }} disabled={!reason().trim() || reject.busy()} onClick={() => void reject.run()} data-testid="reject-confirm">
            {t("review.rejectConfirm")}
          </button>
        </div>
      </Show>
      <ErrorBox error={approve.error() ?? reject.error()} />
    </li>
  );
}
