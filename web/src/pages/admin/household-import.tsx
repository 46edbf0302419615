/**
 * 批量导入: the office's CSV or XLSX file. A bad file is refused whole, its problems listed row by
 * row with the 户号 and the person; a file refused only because some 户号 exist already can be
 * imported again skipping them or updating them from the file. One result at a time: a new
 * import (or a new file) clears the last message.
 */
import { createSignal, Show } from "solid-js";
import { ApiError, householdDesk, households, type ImportResult, type OnExisting } from "../../api";
import { t } from "../../i18n";
import { createAction, ErrorBox, Success } from "../../ui/common";
import { DataTable, type Column } from "../../ui/data-table";
import { Icon } from "../../ui/icon";

type ImportProblem = { line: number; field: string; column?: string; problem: string; householdNo?: string; headName?: string; member?: string; code?: string };

const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

function asProblem(row: unknown): ImportProblem | null {
  if (typeof row !== "object" || row === null || !("line" in row) || typeof row.line !== "number" || !("problem" in row) || typeof row.problem !== "string") return null;
  const r = row as Record<string, unknown>;
  return { line: row.line, problem: row.problem, field: text(r.field) ?? "", column: text(r.column), householdNo: text(r.householdNo), headName: text(r.headName), member: text(r.member), code: text(r.code) };
}

/** The rows of an IMPORT_INVALID answer (`details.rows`), or none. */
function problemsOf(error: unknown): ImportProblem[] {
  if (!(error instanceof ApiError) || error.code !== "IMPORT_INVALID" || !Array.isArray(error.details.rows)) return [];
  return error.details.rows.map(asProblem).filter((p): p is ImportProblem => p !== null);
}

const problemColumns: Column<ImportProblem>[] = [
  { header: () => t("hh.line"), cell: (r) => r.line, sortBy: (r) => r.line },
  { header: () => t("importDesk.householdNo"), cell: (r) => r.householdNo ?? "", sortBy: (r) => r.householdNo ?? "" },
  { header: () => t("importDesk.person"), cell: (r) => [r.headName, r.member].filter(Boolean).join(" / ") },
  { header: () => t("hh.column"), cell: (r) => r.column ?? r.field, sortBy: (r) => r.column ?? r.field },
  { header: () => t("hh.problem"), cell: (r) => r.problem },
];

/** The one message of a finished import: what was created, skipped, updated, and members kept. */
function outcomeText(result: ImportResult): string {
  const parts = [result.created > 0 ? t("hh.imported", { n: result.created }) : t("importDesk.nothingNew")];
  if (result.skipped) parts.push(t("importDesk.skipped", { n: result.skipped }));
  if (result.updated) parts.push(t("importDesk.updated", { n: result.updated }));
  if (result.unchanged) parts.push(t("importDesk.unchanged", { n: result.unchanged }));
  return parts.join("");
}

export function HouseholdImport(props: { onImported: () => void; onStart?: () => void }) {
  const [file, setFile] = createSignal<File | null>(null);
  const [outcome, setOutcome] = createSignal<ImportResult | null>(null);
  const run = createAction(async (chosen: File, onExisting: OnExisting) => {
    setOutcome(null);
    props.onStart?.();
    const result = await householdDesk.import(chosen, onExisting);
    setOutcome(result);
    props.onImported();
  });
  const start = (onExisting: OnExisting) => {
    const chosen = file();
    if (chosen) void run.run(chosen, onExisting);
  };
  const problems = () => problemsOf(run.error());
  // Refused only because some 户号 exist: skipping or updating them would import the file.
  const onlyExisting = () => problems().length > 0 && problems().every((p) => p.code === "EXISTS");
  return (
    <section class="panel">
      <h2 style={{ "margin-top": 0 }}>
        <Icon name="upload" /> {t("hh.import")}
      </h2>
      <p class="muted small">{t("hh.importHint")}</p>
      <div class="row">
        <a class="btn plain" href={households.templateUrl("csv")} download="">
          <Icon name="download" /> {t("hh.templateCsv")}
        </a>
        <a class="btn plain" href={households.templateUrl("xlsx")} download="">
          <Icon name="download" /> {t("hh.templateXlsx")}
        </a>
      </div>
      <label for="import-file">{t("hh.importFile")}</label>
      <input
        id="import-file"
        type="file"
        accept=".csv,.xlsx,text/csv"
        onChange={(e) => {
          setFile(e.currentTarget.files?.[0] ?? null);
          setOutcome(null);
          run.setError(null);
        }}
      />
      <button style={{ "margin-top": "10px" }} disabled={!file() || run.busy()} onClick={() => start("refuse")} data-testid="import">
        <Icon name="upload" /> {t("hh.importGo")}
      </button>
      <div aria-live="polite">
        <Show when={outcome()}>
          {(result) => (
            <>
              <Success>
                <span data-testid="import-result">{outcomeText(result())}</span>
              </Success>
              <Show when={result().keptMembers.length}>
                <p class="muted small">{t("importDesk.kept", { names: result().keptMembers.map((m) => `${m.householdNo} ${m.name}`).join("、") })}</p>
              </Show>
            </>
          )}
        </Show>
        <ErrorBox error={run.error()} />
        <Show when={onlyExisting()}>
          <div class="panel" data-testid="import-existing">
            <p>{t("importDesk.existing", { n: problems().length })}</p>
            <div class="row">
              <button type="button" style={{ flex: "none" }} disabled={run.busy()} onClick={() => start("skip")} data-testid="import-skip">
                {t("importDesk.skip")}
              </button>
              <button type="button" class="secondary" style={{ flex: "none" }} disabled={run.busy()} onClick={() => start("update")} data-testid="import-update">
                {t("importDesk.update")}
              </button>
            </div>
            <p class="muted small">{t("importDesk.updateHint")}</p>
          </div>
        </Show>
        <Show when={problems().length}>
          <DataTable rows={problems()} columns={problemColumns} label={t("hh.import")} testid="import-errors" />
        </Show>
      </div>
    </section>
  );
}
