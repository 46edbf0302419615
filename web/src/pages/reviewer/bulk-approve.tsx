/**
 * The confirmation before a bulk approve: every selected application with the points it will be
 * registered with (the rule's minimum unless the reviewer typed another, editable here within the
 * rule's range), penalties said as deductions, likely duplicates still marked, and the total.
 * Nothing is certified until "confirm"; then one by one, stopping at the first refusal (those
 * already approved stay approved and leave the queue; the rest stay selected).
 */
import { createMemo, For, onMount, Show } from "solid-js";
import { applications, type Application } from "../../api";
import { fmtPoints, t } from "../../i18n";
import { createAction, describeError, ErrorBox } from "../../ui/common";
import { Icon } from "../../ui/icon";
import { isPenalty, PenaltyTag, SignedPoints } from "../../ui/points";

export type BulkResult = { approved: string[]; awarded: number; deducted: number };

const inRange = (a: Application, n: number) => Number.isInteger(n) && n >= a.rule.minPoints && n <= a.rule.maxPoints;

export function BulkApprove(props: {
  applications: Application[];
  pointsOf: (a: Application) => number;
  onPoints: (id: string, n: number) => void;
  onCancel: () => void;
  onDone: (result: BulkResult) => void;
  /** Some were approved before one was refused: the queue should be read again. */
  onPartial: () => void;
}) {
  let dialog!: HTMLDialogElement;
  onMount(() => dialog.showModal());
  const sum = (penalty: boolean) =>
    props.applications.filter((a) => isPenalty(a.rule.kind) === penalty).reduce((n, a) => n + (inRange(a, props.pointsOf(a)) ? props.pointsOf(a) : 0), 0);
  const awarded = createMemo(() => sum(false));
  const deducted = createMemo(() => sum(true));
  const penalties = () => props.applications.filter((a) => isPenalty(a.rule.kind)).length;
  const allValid = () => props.applications.every((a) => inRange(a, props.pointsOf(a)));

  const confirm = createAction(async () => {
    const result: BulkResult = { approved: [], awarded: 0, deducted: 0 };
    for (const a of props.applications) {
      const points = props.pointsOf(a);
      try {
        await applications.certify(a.id, { decision: "approve", points });
      } catch (err) {
        if (result.approved.length) props.onPartial();
        throw new Error(t("reviewDesk.stopped", { n: result.approved.length, name: a.household.headName, reason: describeError(err) }));
      }
      result.approved.push(a.id);
      if (isPenalty(a.rule.kind)) result.deducted += points;
      else result.awarded += points;
    }
    props.onDone(result);
  });

  return (
    <dialog ref={dialog} class="bulk" aria-labelledby="bulk-title" data-testid="bulk-dialog" onClose={() => props.onCancel()}>
      <h2 id="bulk-title">{t("reviewDesk.bulkTitle", { n: props.applications.length })}</h2>
      <p class="small muted">{t("reviewDesk.bulkHint")}</p>
      <ul class="list bulk-rows">
        <For each={props.applications}>
          {(a) => {
            const points = () => props.pointsOf(a);
            const id = `bulk-${a.id}`;
            return (
              <li data-testid="bulk-row" data-application-id={a.id} classList={{ penalty: isPenalty(a.rule.kind) }}>
                <div>
                  <strong>{a.household.headName}</strong> <span class="muted small">{a.household.householdNo}</span>
                  <div class="small">
                    <PenaltyTag kind={a.rule.kind} /> {a.rule.title}
                    <Show when={a.memberName}> · {a.memberName}</Show>
                  </div>
                  <Show when={a.likelyDuplicateOf.length}>
                    <span class="badge warn small" data-testid="bulk-duplicate">
                      <Icon name="alert" /> {t("reviewDesk.duplicateShort")}
                    </span>
                  </Show>
                </div>
                <div class="bulk-points">
                  <label class="sr-only" for={id}>
                    {t("reviewDesk.pointsFor", { name: a.household.headName, rule: a.rule.title })}
                  </label>
                  <input
                    id={id}
                    type="number"
                    inputMode="numeric"
                    class="points-input"
                    min={a.rule.minPoints}
                    max={a.rule.maxPoints}
                    value={Number.isFinite(points()) ? points() : ""}
                    aria-invalid={!inRange(a, points())}
                    aria-describedby={`${id}-range`}
                    onInput={(e) => props.onPoints(a.id, e.currentTarget.value === "" ? Number.NaN : Number(e.currentTarget.value))}
                    data-testid="bulk-points"
                  />
                  <span id={`${id}-range`} class="muted small">
                    {t("apply.range", { min: a.rule.minPoints, max: a.rule.maxPoints })}
                  </span>
                  <Show when={inRange(a, points())} fallback={<span class="badge bad">{t("reviewDesk.outOfRangeShort")}</span>}>
                    <SignedPoints kind={a.rule.kind} points={points()} />
                  </Show>
                </div>
              </li>
            );
          }}
        </For>
      </ul>
      <div class="bulk-foot">
        <p class="bulk-total" data-testid="bulk-total" role="status">
          {t("reviewDesk.total", { n: props.applications.length, award: fmtPoints(awarded()) })}
          <Show when={penalties()}>
            <span class="pts minus">{t("reviewDesk.totalPenalty", { n: penalties(), penalty: fmtPoints(deducted()) })}</span>
          </Show>
        </p>
        <Show when={!allValid()}>
          <p class="error" role="alert">
            <Icon name="alert" /> {t("reviewDesk.outOfRange")}
          </p>
        </Show>
        <ErrorBox error={confirm.error()} />
        <div class="row">
          <button type="button" class="secondary" onClick={() => dialog.close()} data-testid="bulk-cancel">
            <Icon name="back" /> {t("reviewDesk.back")}
          </button>
          <button type="button" class="ok" disabled={!allValid() || !props.applications.length || confirm.busy()} onClick={() => void confirm.run()} data-testid="bulk-confirm">
            <Icon name="check" /> {t("reviewDesk.confirm", { n: props.applications.length })}
          </button>
        </div>
      </div>
    </dialog>
  );
}
