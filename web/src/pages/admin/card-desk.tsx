/**
 * 积分卡管理: cards locked by wrong PINs (until when, and 解锁 once the resident has come to the
 * station), and the card batches issued, whose handover register can be printed again (never
 * their PINs, which were shown once, at issue).
 */
import { createResource, createSignal, Show } from "solid-js";
import { cardDesk, type CardBatchSummary, type LockedCard } from "../../api";
import { fmtDate, t } from "../../i18n";
import { createAction, ErrorBox, ready, Success } from "../../ui/common";
import { createCursorList, DataTable, type Column } from "../../ui/data-table";
import { Icon } from "../../ui/icon";
import { CardBatchSheets } from "./card-print";

export default function CardDeskPage() {
  const [locked, { refetch: refetchLocked }] = createResource(() => cardDesk.locked());
  const batches = createCursorList(() => true, (_all, cursor) => cardDesk.batches(cursor));
  const [notice, setNotice] = createSignal<string | null>(null);
  const [reprintId, setReprintId] = createSignal<string | null>(null);
  const [register] = createResource(reprintId, (id) => cardDesk.batch(id));
  const unlock = createAction(async (card: LockedCard) => {
    if (!confirm(t("cardDeskPage.unlockConfirm", { no: card.cardNo, hh: card.householdNo }))) return;
    await cardDesk.unlock(card.cardNo);
    setNotice(t("cardDeskPage.unlocked", { no: card.cardNo }));
    await refetchLocked();
  });
  const lockedColumns: Column<LockedCard>[] = [
    { header: () => t("cardDeskPage.cardNo"), cell: (c) => c.cardNo, sortBy: (c) => c.cardNo },
    { header: () => t("cardDeskPage.householdNo"), cell: (c) => c.householdNo, sortBy: (c) => c.householdNo },
    { header: () => t("cardDeskPage.until"), cell: (c) => fmtDate(c.lockedUntil, true), sortBy: (c) => c.lockedUntil },
    {
      header: () => t("hh.actions"),
      cell: (c) => (
        <button type="button" class="secondary" disabled={unlock.busy()} onClick={() => void unlock.run(c)} data-testid="unlock-card">
          <Icon name="lock" /> {t("cardDeskPage.unlock")}
        </button>
      ),
    },
  ];
  const batchColumns: Column<CardBatchSummary>[] = [
    { header: () => t("cardDeskPage.when"), cell: (b) => fmtDate(b.createdAt, true), sortBy: (b) => b.createdAt },
    { header: () => t("cardDeskPage.kind"), cell: (b) => t(`cardPrint.kind_${b.kind}`) },
    { header: () => t("cardDeskPage.count"), cell: (b) => b.cardCount, sortBy: (b) => b.cardCount },
    { header: () => t("cardDeskPage.by"), cell: (b) => b.createdByName ?? "" },
    {
      header: () => t("hh.actions"),
      cell: (b) => (
        <button type="button" class="plain" onClick={() => setReprintId(b.id)} data-testid="reprint-register">
          <Icon name="printer" /> {t("cardDeskPage.reprint")}
        </button>
      ),
    },
  ];
  return (
    <div classList={{ "with-batch-print": !!ready(register) && !!reprintId() }}>
      <h1>
        <Icon name="card" /> {t("cardDeskPage.title")}
      </h1>
      <Show when={notice()}>
        <Success>{notice()}</Success>
      </Show>
      <Show when={reprintId() ? ready(register) : undefined}>
        {(batch) => (
          <CardBatchSheets
            batch={{ kind: batch().kind, createdAt: batch().createdAt, createdByName: batch().createdByName, cards: batch().cards }}
            testid="register-reprint"
            actions={
              <button type="button" class="plain" style={{ flex: "none" }} onClick={() => setReprintId(null)}>
                <Icon name="x" /> {t("common.back")}
              </button>
            }
          />
        )}
      </Show>
      <ErrorBox error={register.error} />
      <section class="panel">
        <h2 style={{ "margin-top": 0 }}>
          <Icon name="lock" /> {t("cardDeskPage.lockedTitle")}
        </h2>
        <p class="muted small">{t("cardDeskPage.lockedHint")}</p>
        <ErrorBox error={locked.error ?? unlock.error()} />
        <Show when={!locked.loading && (ready(locked)?.items.length ?? 0) === 0} fallback={<DataTable rows={ready(locked)?.items ?? []} columns={lockedColumns} label={t("cardDeskPage.lockedTitle")} testid="locked-cards" loading={locked.loading} />}>
          <p class="muted" data-testid="no-locked-cards">
            {t("cardDeskPage.lockedNone")}
          </p>
        </Show>
      </section>
      <section class="panel">
        <h2 style={{ "margin-top": 0 }}>
          <Icon name="list" /> {t("cardDeskPage.batchesTitle")}
        </h2>
        <p class="muted small">{t("cardDeskPage.batchesHint")}</p>
        <ErrorBox error={batches.error()} />
        <DataTable rows={batches.items()} columns={batchColumns} label={t("cardDeskPage.batchesTitle")} testid="card-batches" paging={batches} />
      </section>
    </div>
  );
}
