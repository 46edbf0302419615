/** 批量导入: the office's CSV or XLSX file; a bad file is refused whole, with its problems row by row. */
import { createSignal, Show } from "solid-js";
import { ApiError, households } from "../../api";
import { t } from "../../i18n";
import { createAction, ErrorBox } from "../../ui/common";
import { DataTable, type Column } from "../../ui/data-table";
import { Icon } from "../../ui/icon";

type ImportProblem = { line: number; field: string; column?: string; problem: string };

function isProblem(row: unknown): row is ImportProblem {
  return typeof row === "object" && row !== null && "line" in row && typeof row.line === "number" && "problem" in row && typeof row.problem === "string";
}

/** The rows of an IMPORT_INVALID answer (`details.rows`), or none. */
function problemsOf(error: unknown): ImportProblem[] {
  if (!(error instanceof ApiError) || !Array.isArray(error.details.rows)) return [];
  return error.details.rows.filter(isProblem);
}

const problemColumns: Column<ImportProblem>[] = [
  { header: () => t("hh.line"), cell: (r) => r.line, sortBy: (r) => r.line },
  { header: () => t("hh.column"), cell: (r) => r.column ?? r.field, sortBy: (r) => r.column ?? r.field },
  { header: () => t("hh.problem"), cell: (r) => r.problem },
];

export function HouseholdImport(props: { onImported: (households: number) => void }) {
  const [file, setFile] = createSignal<File | null>(null);
  const run = createAction(async (chosen: File) => {
    const result = await households.import(chosen);
    props.onImported(result.imported);
  });
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
      <input id="import-file" type="file" accept=".csv,.xlsx,text/csv" onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)} />
      <button
        style={{ "margin-top": "10px" }}
        disabled={!file() || run.busy()}
        onClick={() => {
          const chosen = file();
          if (chosen) void run.run(chosen);
        }}
        data-testid="import"
      >
        <Icon name="upload" /> {t("hh.importGo")}
      </button>
      <ErrorBox error={run.error()} />
      <Show when={problemsOf(run.error()).length}>
        <DataTable rows={problemsOf(run.error())} columns={problemColumns} label={t("hh.import")} testid="import-errors" />
      </Show>
    </section>
  );
}
