/** 工作人员: the community's staff accounts, and a form for a new one (a clerk belongs to a shop). */
import { createResource, createSignal, For, Show } from "solid-js";
import { staffRoles, type StaffRole } from "../../../../shared/domain";
import { limits } from "../../../../shared/limits";
import { shops, users, type StaffUser } from "../../api";
import { t } from "../../i18n";
import { check, lengthProblem, passwordProblem, usernameProblem } from "../../ui/checks";
import { createAction, ErrorBox, ready } from "../../ui/common";
import { DataTable, type Column } from "../../ui/data-table";
import { Field, FormPanel } from "../../ui/form-panel";
import { Icon } from "../../ui/icon";

const columns: Column<StaffUser>[] = [
  { header: () => t("staff.username"), cell: (u) => u.username, sortBy: (u) => u.username },
  { header: () => t("users.name"), cell: (u) => u.name, sortBy: (u) => u.name },
  { header: () => t("users.role"), cell: (u) => t(`users.${u.role}`), sortBy: (u) => staffRoles.indexOf(u.role) },
];

const blank = { username: "", password: "", name: "", role: "volunteer" as StaffRole, shopId: "" };
const isRole = (value: string): value is StaffRole => staffRoles.some((role) => role === value);

export default function UsersPage() {
  const [list, { refetch }] = createResource(() => users.list());
  const [shopList] = createResource(() => shops.list());
  const [form, setForm] = createSignal({ ...blank });
  const create = createAction(async () => {
    const f = form();
    check(usernameProblem(f.username), lengthProblem(t("users.name"), f.name, limits.nameLengthMax), passwordProblem(f.password));
    const shopId = f.role === "clerk" ? f.shopId || ready(shopList)?.items[0]?.id : undefined;
    await users.create({ username: f.username.trim(), password: f.password, name: f.name.trim(), role: f.role, shopId });
    setForm({ ...blank });
    await refetch();
  });
  return (
    <>
      <h1>
        <Icon name="users" /> {t("admin.users")}
      </h1>
      <ErrorBox error={list.error} />
      <DataTable rows={ready(list)?.items ?? []} columns={columns} label={t("admin.users")} loading={list.loading} />
      <FormPanel title={t("users.add")} submit={t("users.add")} submitIcon="plus" busy={create.busy()} error={create.error()} onSubmit={() => void create.run()}>
        <div class="row">
          <Field id="u-username" label={t("staff.username")}>
            <input id="u-username" required autocomplete="off" minlength={limits.usernameLengthMin} maxlength={limits.usernameLengthMax} value={form().username} onInput={(e) => setForm({ ...form(), username: e.currentTarget.value })} />
          </Field>
          <Field id="u-name" label={t("users.name")}>
            <input id="u-name" required maxlength={limits.nameLengthMax} value={form().name} onInput={(e) => setForm({ ...form(), name: e.currentTarget.value })} />
          </Field>
        </div>
        <div class="row">
          <Field id="u-password" label={t("users.password", { n: limits.passwordLengthMin })}>
            <input
              id="u-password"
              type="password"
              autocomplete="new-password"
              minlength={limits.passwordLengthMin}
              maxlength={limits.passwordLengthMax}
              required
              value={form().password}
              onInput={(e) => setForm({ ...form(), password: e.currentTarget.value })}
            />
          </Field>
          <Field id="u-role" label={t("users.role")}>
            <select id="u-role" value={form().role} onChange={(e) => isRole(e.currentTarget.value) && setForm({ ...form(), role: e.currentTarget.value })}>
              <For each={[...staffRoles]}>{(role) => <option value={role}>{t(`users.${role}`)}</option>}</For>
            </select>
          </Field>
          <Show when={form().role === "clerk"}>
            <Field id="u-shop" label={t("goodsAdmin.shop")}>
              <select id="u-shop" value={form().shopId} onChange={(e) => setForm({ ...form(), shopId: e.currentTarget.value })}>
                <For each={ready(shopList)?.items ?? []}>{(s) => <option value={s.id}>{s.name}</option>}</For>
              </select>
            </Field>
          </Show>
        </div>
      </FormPanel>
    </>
  );
}
