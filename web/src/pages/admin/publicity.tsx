/**
 * 公示 (step 5): open a batch with everything registered and not yet publicised, and show (and
 * print) the batches still open, as the board shows them.
 */
import { createResource, createSignal, For, Show } from "solid-js";
import { publicity, type Publicity } from "../../api";
import { categoryName, fmtDate, t } from "../../i18n";
import { createAction, ErrorBox, ready } from "../../ui/common";
import { Field, FormPanel } from "../../ui/form-panel";
import { Icon } from "../../ui/icon";

export default function PublicityPage() {
  const [batches, { refetch }] = createResource(() => publicity.list());
  const open = () => (ready(batches)?.items ?? []).filter((b) => b.status === "open");
  const [endsAt, setEndsAt] = createSignal("");
  const create = createAction(async () => {
    await publicity.create(endsAt() ? new Date(endsAt()).toISOString() : undefined);
    await refetch();
  });
  return (
    <>
      <style>{"@media print { @page { size: A4; margin: 12mm; } body { font-size: 14pt; } }"}</style>
      <h1>
        <Icon name="flag" /> {t("admin.publicity")}
      </h1>
      <FormPanel title={t("pub.create")} icon="flag" hint={t("pub.hint")} submit={t("pub.create")} submitIcon="flag" submitTestid="create-publicity" class="no-print" busy={create.busy()} error={create.error()} onSubmit={() => void create.run()}>
        <Field id="p-ends" label={t("pub.endsAt")}>
          <input id="p-ends" type="datetime-local" value={endsAt()} onInput={(e) => setEndsAt(e.currentTarget.value)} />
        </Field>
      </FormPanel>
      <ErrorBox error={batches.error} />
      <For each={open()}>{(batch) => <Board batch={batch} />}</For>
    </>
  );
}

/** One batch as it is posted: masked names, what for, how many points, and how to object. */
function Board(props: { batch: Publicity }) {
  return (
    <section class="panel" data-testid="publicity-board">
      <div class="item-head">
        <h2 style={{ margin: 0 }}>
          {t("pub.boardTitle")} · {t("board.period", { from: fmtDate(props.batch.startsAt, true), to: fmtDate(props.batch.endsAt, true) })}
        </h2>
        <button class="secondary no-print" onClick={() => window.print()}>
          <Icon name="printer" /> {t("pub.print")}
        </button>
      </div>
      <table style={{ "margin-top": "10px" }}>
        <thead>
          <tr>
            <th scope="col">{t("pub.name")}</th>
            <th scope="col">{t("hh.building")}</th>
            <th scope="col">{t("rules.category")}</th>
            <th scope="col">{t("rules.title")}</th>
            <th scope="col">{t("pub.points")}</th>
          </tr>
        </thead>
        <tbody>
          <For each={props.batch.items}>
            {(i) => (
              <tr>
                <td>{i.name}</td>
                <td>{i.building}</td>
                <td>{categoryName(i.category)}</td>
                <td>{i.rule}</td>
                <td>{i.points}</td>
              </tr>
            )}
          </For>
        </tbody>
      </table>
      <Show when={!props.batch.items.length}>
        <p class="muted">{t("board.noItems")}</p>
      </Show>
      <p class="small">{t("board.howToObjectText")}</p>
    </section>
  );
}
