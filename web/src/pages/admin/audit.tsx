/** 操作日志: who changed what and when, newest first, page by page; filter by action or by person. */
import { createSignal } from "solid-js";
import { limits } from "../../../../shared/limits";
import { audit, type AuditEntry, type AuditQuery } from "../../api";
import { fmtDate, t } from "../../i18n";
import { ErrorBox } from "../../ui/common";
import { createCursorList, DataTable, type Column } from "../../ui/data-table";
import { Icon } from "../../ui/icon";

const columns: Column<AuditEntry>[] = [
  { header: () => t("audit.at"), cell: (row) => fmtDate(row.at, true), sortBy: (row) => row.at },
  { header: () => t("audit.actor"), cell: (row) => `${row.actor} (${row.actorRole})`, sortBy: (row) => row.actor },
  { header: () => t("audit.action"), cell: (row) => row.action, sortBy: (row) => row.action },
  { header: () => t("audit.target"), cell: (row) => <span class="small">{[row.targetType, row.targetId].filter(Boolean).join(" ")}</span> },
];

export default function AuditPage() {
  const [filter, setFilter] = createSignal<AuditQuery>({});
  const list = createCursorList(filter, (query, cursor) => audit.list({ ...query, cursor, limit: String(limits.listLimitDefault) }));
  return (
    <>
      <h1>
        <Icon name="list" /> {t("admin.audit")}
      </h1>
      <ErrorBox error={list.error()} />
      <form
        class="row"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          const data = new FormData(e.currentTarget);
          const text = (name: string) => String(data.get(name) ?? "").trim() || undefined;
          setFilter({ action: text("action"), actor: text("actor") });
        }}
      >
        <div>
          <label for="audit-action">{t("audit.action")}</label>
          <input id="audit-action" name="action" maxlength={100} placeholder="household.*" />
        </div>
        <div>
          <label for="audit-actor">{t("audit.actor")}</label>
          <input id="audit-actor" name="actor" maxlength={150} />
        </div>
        <button type="submit" style={{ flex: "none", "align-self": "flex-end" }}>
          <Icon name="search" /> {t("common.search")}
        </button>
      </form>
      <DataTable rows={list.items()} columns={columns} label={t("admin.audit")} testid="audit" paging={list} />
    </>
  );
}
