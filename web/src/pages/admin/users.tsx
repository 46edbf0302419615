/**
 * 工作人员: the community's staff accounts and a form for a new one (a clerk belongs to a shop);
 * for each account, after a confirmation: disable or enable it again (disabling signs it out at
 * once), set a new password (its sessions end), or sign it out everywhere.
 */
import { createResource, createSignal, For, Show } from "solid-js";
import { staffRoles, type StaffRole } from "../../../../shared/domain";
import { limits } from "../../../../shared/limits";
import { shops, staffDesk, users, type StaffUser } from "../../api";
import { t } from "../../i18n";
import { check, lengthProblem, passwordProblem, usernameProblem } from "../../ui/checks";
import { createAction, ErrorBox, ready, Success } from "../../ui/common";
import { DataTable, type Column } from "../../ui/data-table";
import { Field, FormPanel } from "../../ui/form-panel";
import { useStaffRole } from "../../ui/guard";
import { Icon } from "../../ui/icon";

const baseColumns: Column<StaffUser>[] = [
  { header: () => t("staff.username"), cell: (u) => u.username, sortBy: (u) => u.username },
  { header: () => t("users.name"), cell: (u) => u.name, sortBy: (u) => u.name },
  { header: () => t("users.role"), cell: (u) => t(`users.${u.role}`), sortBy: (u) => staffRoles.indexOf(u.role) },
  {
    header: () => t("staffDesk.status"),
    cell: (u) => <span class={`badge ${u.active ? "ok" : "bad"}`}>{u.active ? t("staffDesk.active") : t("staffDesk.disabled")}</span>,
    sortBy: (u) => (u.active ? 0 : 1),
  },
];

const blank = { username: "", password: "", name: "", role: "volunteer" as StaffRole, shopId: "" };
const isRole = (value: string): value is StaffRole => staffRoles.some((role) => role === value);

export default function UsersPage() {
  const me = useStaffRole("admin");
  const [list, { refetch }] = createResource(() => users.list());
  const [notice, setNotice] = createSignal<string | null>(null);
  const [resetting, setResetting] = createSignal<StaffUser | null>(null);
  const [newPassword, setNewPassword] = createSignal("");
  const setActive = createAction(async (u: StaffUser, active: boolean) => {
    if (!confirm(t(active ? "staffDesk.enableConfirm" : "staffDesk.disableConfirm", { name: u.name, username: u.username }))) return;
    setNotice(null);
    await staffDesk.setActive(u.id, active);
    setNotice(t(active ? "staffDesk.enabledDone" : "staffDesk.disabledDone", { name: u.name }));
    await refetch();
  });
  const endSessions = createAction(async (u: StaffUser) => {
    if (!confirm(t("staffDesk.endConfirm", { name: u.name }))) return;
    setNotice(null);
    const { ended } = await staffDesk.endSessions(u.id);
    setNotice(t("staffDesk.endedDone", { name: u.name, n: ended }));
  });
  const resetPassword = createAction(async () => {
    const u = resetting();
    if (!u) return;
    check(passwordProblem(newPassword()));
    if (!confirm(t("staffDesk.resetConfirm", { name: u.name }))) return;
    setNotice(null);
    await staffDesk.resetPassword(u.id, newPassword());
    setResetting(null);
    setNewPassword("");
    setNotice(t("staffDesk.passwordDone", { name: u.name }));
  });
  const columns: Column<StaffUser>[] = [
    ...baseColumns,
    {
      header: () => t("staffDesk.actions"),
      cell: (u) => (
        <Show when={u.id !== me()?.id} fallback={<span class="muted small">{t("staffDesk.you")}</span>}>
          <div class="row" style={{ gap: "6px" }}>
            <button type="button" class={u.active ? "plain" : "secondary"} style={{ flex: "none" }} disabled={setActive.busy()} onClick={() => void setActive.run(u, !u.active)} data-testid={u.active ? "disable-user" : "enable-user"}>
              <Icon name={u.active ? "lock" : "check"} /> {u.active ? t("staffDesk.disable") : t("staffDesk.enable")}
            </button>
            <button type="button" class="plain" style={{ flex: "none" }} onClick={() => { setNewPassword(""); setResetting(u); }} data-testid="reset-password">
              <Icon name="settings" /> {t("staffDesk.resetPassword")}
            </button>
            <button type="button" class="plain" style={{ flex: "none" }} disabled={endSessions.busy()} onClick={() => void endSessions.run(u)} data-testid="end-sessions">
              <Icon name="logout" /> {t("staffDesk.endSessions")}
            </button>
          </div>
        </Show>
      ),
    },
  ];
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
      <Show when={notice()}>
        <Success>{notice()}</Success>
      </Show>
      <ErrorBox error={list.error ?? setActive.error() ?? endSessions.error()} />
      <DataTable rows={ready(list)?.items ?? []} columns={columns} label={t("admin.users")} loading={list.loading} testid="staff-users" />
      <Show when={resetting()}>
        {(u) => (
          <FormPanel
            title={t("staffDesk.resetTitle", { name: u().name })}
            icon="settings"
            submit={t("staffDesk.resetPassword")}
            submitTestid="reset-password-save"
            busy={resetPassword.busy()}
            error={resetPassword.error()}
            onSubmit={() => void resetPassword.run()}
            actions={
              <button type="button" class="plain" style={{ flex: "none" }} onClick={() => setResetting(null)}>
                {t("common.cancel")}
              </button>
            }
          >
            <Field id="u-new-password" label={t("staffDesk.newPassword", { n: limits.passwordLengthMin })}>
              <input
                id="u-new-password"
                type="password"
                autocomplete="new-password"
                minlength={limits.passwordLengthMin}
                maxlength={limits.passwordLengthMax}
                required
                value={newPassword()}
                onInput={(e) => setNewPassword(e.currentTarget.value)}
              />
            </Field>
          </FormPanel>
        )}
      </Show>
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
