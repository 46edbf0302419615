/** 积分细则: the rules residents apply under, each with its carrier and its points range. */
import { createResource, createSignal, For } from "solid-js";
import { categories, ruleKinds, type Category, type RuleKind } from "../../../../shared/domain";
import { NewRuleBody } from "../../../../shared/forms";
import { limits } from "../../../../shared/limits";
import { rules, type Rule } from "../../api";
import { categoryName, t } from "../../i18n";
import { checkWith } from "../../ui/form-schema";
import { createAction, ErrorBox, ready } from "../../ui/common";
import { DataTable, type Column } from "../../ui/data-table";
import { Field, FormPanel } from "../../ui/form-panel";
import { Icon } from "../../ui/icon";

const columns: Column<Rule>[] = [
  { header: () => t("rules.category"), cell: (r) => categoryName(r.category), sortBy: (r) => categories.indexOf(r.category) },
  { header: () => t("rules.title"), cell: (r) => r.title, sortBy: (r) => r.title },
  { header: () => t("rules.kind"), cell: (r) => t(`rules.${r.kind}`), sortBy: (r) => r.kind },
  { header: () => t("rules.range"), cell: (r) => `${r.minPoints}–${r.maxPoints}`, sortBy: (r) => r.maxPoints },
];

const isCategory = (value: string): value is Category => categories.some((c) => c === value);
const isKind = (value: string): value is RuleKind => ruleKinds.some((k) => k === value);

export default function RulesPage() {
  const [list, { refetch }] = createResource(() => rules.list());
  const [form, setForm] = createSignal<{ category: Category; title: string; kind: RuleKind; minPoints: number; maxPoints: number }>({
    category: "environment",
    title: "",
    kind: "award",
    minPoints: 1,
    maxPoints: 5,
  });
  const create = createAction(async () => {
    const f = form();
    await rules.create(checkWith(NewRuleBody, f, { title: t("rules.title"), minPoints: t("rules.min"), maxPoints: t("rules.max"), category: t("rules.category") }));
    setForm({ ...f, title: "" });
    await refetch();
  });
  return (
    <>
      <h1>
        <Icon name="file" /> {t("admin.rules")}
      </h1>
      <ErrorBox error={list.error} />
      <DataTable rows={ready(list)?.items ?? []} columns={columns} label={t("admin.rules")} loading={list.loading} filter={(r, text) => `${r.title} ${categoryName(r.category)}`.toLowerCase().includes(text)} />
      <FormPanel title={t("rules.add")} icon="plus" submit={t("rules.add")} submitIcon="plus" busy={create.busy()} error={create.error()} onSubmit={() => void create.run()}>
        <div class="row">
          <Field id="r-cat" label={t("rules.category")}>
            <select id="r-cat" value={form().category} onChange={(e) => isCategory(e.currentTarget.value) && setForm({ ...form(), category: e.currentTarget.value })}>
              <For each={[...categories]}>{(c) => <option value={c}>{categoryName(c)}</option>}</For>
            </select>
          </Field>
          <Field id="r-kind" label={t("rules.kind")}>
            <select id="r-kind" value={form().kind} onChange={(e) => isKind(e.currentTarget.value) && setForm({ ...form(), kind: e.currentTarget.value })}>
              <option value="award">{t("rules.award")}</option>
              <option value="penalty">{t("rules.penalty")}</option>
            </select>
          </Field>
        </div>
        <Field id="r-title" label={t("rules.title")}>
          <input id="r-title" required maxlength={limits.titleLengthMax} value={form().title} onInput={(e) => setForm({ ...form(), title: e.currentTarget.value })} />
        </Field>
        <div class="row">
          <Field id="r-min" label={t("rules.min")}>
            <input id="r-min" type="number" min="1" max={limits.pointsPerItemMax} value={form().minPoints} onInput={(e) => setForm({ ...form(), minPoints: Number(e.currentTarget.value) })} />
          </Field>
          <Field id="r-max" label={t("rules.max")}>
            <input id="r-max" type="number" min="1" max={limits.pointsPerItemMax} value={form().maxPoints} onInput={(e) => setForm({ ...form(), maxPoints: Number(e.currentTarget.value) })} />
          </Field>
        </div>
      </FormPanel>
    </>
  );
}
