/**
 * 乡镇、账号与社区: what an officer sets up below its region — a township (county officers only),
 * an officer account for the county or a township, a community with its first administrator,
 * and a community moved to another township. Every form goes through the API; a taken code or
 * username answers 409 and is said plainly, with nothing created.
 */
import { createResource, createSignal, For, Show } from "solid-js";
import { limits } from "../../../../shared/limits";
import { communityCodePattern, regionLimits } from "../../../../shared/regions";
import { ApiError, county, type Officer, type Region } from "../../api";
import { check, lengthProblem, passwordProblem, usernameProblem } from "../../ui/checks";
import { createAction, ready, Success } from "../../ui/common";
import { DataTable, type Column } from "../../ui/data-table";
import { Field, FormPanel } from "../../ui/form-panel";
import { Icon } from "../../ui/icon";
import { w } from "./words";

/** A 409 in the officer's words (the server's message stays beside it: it names what was taken). */
function plainly(error: unknown): unknown {
  if (error instanceof ApiError && error.status === 409) return new ApiError(409, error.code, `${w("manage.duplicate")}（${error.message}）`, error.details);
  return error;
}

const value = (form: HTMLFormElement, name: string) => {
  const field = form.elements.namedItem(name);
  return field instanceof HTMLInputElement || field instanceof HTMLSelectElement ? field.value.trim() : "";
};

export function Manage(props: { regions: Region[]; refetchRegions: () => void }) {
  const own = () => props.regions[0];
  const [officers, { refetch: refetchOfficers }] = createResource(() => county.officers());
  const [overview, { refetch: refetchOverview }] = createResource(() => own()?.id, (id) => county.overview(id, {}));
  const communities = () => ready(overview)?.communities ?? [];
  const [done, setDone] = createSignal<string | null>(null);
  const regionName = (id: string | null) => props.regions.find((r) => r.id === id)?.name ?? "";
  const kindName = (r: Region) => (r.kind === "county" ? w("county") : w("township"));

  const addTownship = createAction(async (form: HTMLFormElement) => {
    const name = value(form, "name");
    check(name ? null : w("manage.townshipName"), lengthProblem(w("manage.townshipName"), name, regionLimits.regionNameLengthMax));
    setDone(null);
    const region = await county.addTownship(name);
    form.reset();
    props.refetchRegions();
    setDone(w("manage.townshipAdded", { name: region.name }));
  });
  const addOfficer = createAction(async (form: HTMLFormElement) => {
    const body = { username: value(form, "username"), name: value(form, "name"), password: value(form, "password"), regionId: value(form, "regionId") };
    check(usernameProblem(body.username), passwordProblem(body.password), body.name ? null : w("manage.name"));
    setDone(null);
    await county.addOfficer(body).catch((e: unknown) => Promise.reject(plainly(e)));
    form.reset();
    refetchOfficers();
    setDone(w("manage.officerAdded", { username: body.username }));
  });
  const addCommunity = createAction(async (form: HTMLFormElement) => {
    const body = {
      name: value(form, "name"),
      code: value(form, "code").toUpperCase(),
      regionId: value(form, "regionId"),
      admin: { username: value(form, "adminUsername"), name: value(form, "adminName"), password: value(form, "adminPassword") },
    };
    check(
      body.name ? null : w("manage.communityName"),
      lengthProblem(w("manage.communityName"), body.name, regionLimits.communityNameLengthMax),
      communityCodePattern.test(body.code) ? null : w("manage.communityCode"),
      usernameProblem(body.admin.username),
      body.admin.name ? null : w("manage.adminName"),
      passwordProblem(body.admin.password),
    );
    setDone(null);
    const created = await county.createCommunity(body).catch((e: unknown) => Promise.reject(plainly(e)));
    form.reset();
    refetchOverview();
    setDone(w("manage.communityAdded", { name: created.name, code: created.code, username: body.admin.username }));
  });
  const move = createAction(async (form: HTMLFormElement) => {
    const communityId = value(form, "communityId");
    const regionId = value(form, "regionId");
    if (!communityId || !regionId) return;
    setDone(null);
    const moved = await county.moveCommunity(communityId, regionId);
    refetchOverview();
    setDone(w("manage.moved", { name: moved.name, region: regionName(moved.regionId) }));
  });

  const regionOptions = () => <For each={props.regions}>{(r) => <option value={r.id}>{r.name}</option>}</For>;
  const officerColumns: Column<Officer>[] = [
    { header: () => w("manage.username"), cell: (o) => o.username, sortBy: (o) => o.username },
    { header: () => w("manage.name"), cell: (o) => o.name, sortBy: (o) => o.name },
    { header: () => w("manage.officerRegion"), cell: (o) => regionName(o.regionId), sortBy: (o) => regionName(o.regionId) },
  ];
  const regionColumns: Column<Region>[] = [
    { header: () => w("manage.townshipName"), cell: (r) => r.name, sortBy: (r) => r.name },
    { header: () => w("manage.kind"), cell: (r) => kindName(r), sortBy: (r) => r.kind },
  ];

  return (
    <section class="county-manage" data-testid="county-manage">
      <h1>
        <Icon name="settings" /> {w("manage.title")}
      </h1>
      <Show when={done()}>{(words) => <Success>{words()}</Success>}</Show>
      <div class="county-forms">
        <FormPanel title={w("manage.addCommunity")} icon="home" submit={w("manage.addCommunity")} submitTestid="community-submit" busy={addCommunity.busy()} error={addCommunity.error()} onSubmit={(f) => void addCommunity.run(f)}>
          <Field id="community-name" label={w("manage.communityName")}>
            <input id="community-name" name="name" required maxLength={regionLimits.communityNameLengthMax} />
          </Field>
          <Field id="community-code" label={w("manage.communityCode")}>
            <input id="community-code" name="code" required autocapitalize="characters" maxLength={16} style={{ "text-transform": "uppercase" }} />
          </Field>
          <Field id="community-region" label={w("manage.communityRegion")}>
            <select id="community-region" name="regionId">{regionOptions()}</select>
          </Field>
          <Field id="community-admin-username" label={w("manage.adminUsername")}>
            <input id="community-admin-username" name="adminUsername" required autocomplete="off" />
          </Field>
          <Field id="community-admin-name" label={w("manage.adminName")}>
            <input id="community-admin-name" name="adminName" required />
          </Field>
          <Field id="community-admin-password" label={w("manage.adminPassword", { n: limits.passwordLengthMin })}>
            <input id="community-admin-password" name="adminPassword" type="password" required autocomplete="new-password" />
          </Field>
        </FormPanel>
        <div>
          <Show when={own()?.kind === "county"}>
            <FormPanel title={w("manage.addTownship")} icon="flag" submit={w("manage.addTownship")} submitTestid="township-submit" busy={addTownship.busy()} error={addTownship.error()} onSubmit={(f) => void addTownship.run(f)}>
              <Field id="township-name" label={w("manage.townshipName")}>
                <input id="township-name" name="name" required maxLength={regionLimits.regionNameLengthMax} />
              </Field>
            </FormPanel>
          </Show>
          <FormPanel title={w("manage.move")} icon="trend" submit={w("manage.moveSubmit")} submitTestid="move-submit" busy={move.busy()} error={move.error()} onSubmit={(f) => void move.run(f)}>
            <Field id="move-community" label={w("manage.moveCommunity")}>
              <select id="move-community" name="communityId">
                <For each={communities()}>{(c) => <option value={c.id}>{`${c.name}（${regionName(c.regionId)}）`}</option>}</For>
              </select>
            </Field>
            <Field id="move-region" label={w("manage.moveTo")}>
              <select id="move-region" name="regionId">{regionOptions()}</select>
            </Field>
          </FormPanel>
        </div>
        <FormPanel title={w("manage.addOfficer")} icon="users" submit={w("manage.addOfficer")} submitTestid="officer-submit" busy={addOfficer.busy()} error={addOfficer.error()} onSubmit={(f) => void addOfficer.run(f)}>
          <Field id="officer-region" label={w("manage.officerRegion")}>
            <select id="officer-region" name="regionId">{regionOptions()}</select>
          </Field>
          <Field id="officer-username" label={w("manage.username")}>
            <input id="officer-username" name="username" required autocomplete="off" />
          </Field>
          <Field id="officer-name" label={w("manage.name")}>
            <input id="officer-name" name="name" required />
          </Field>
          <Field id="officer-password" label={w("manage.password", { n: limits.passwordLengthMin })}>
            <input id="officer-password" name="password" type="password" required autocomplete="new-password" />
          </Field>
        </FormPanel>
      </div>
      <h2>{w("manage.regions")}</h2>
      <DataTable rows={props.regions} columns={regionColumns} label={w("manage.regions")} testid="county-regions" />
      <h2>{w("manage.officers")}</h2>
      <DataTable rows={ready(officers)?.items ?? []} columns={officerColumns} label={w("manage.officers")} testid="county-officers" loading={officers.loading} />
    </section>
  );
}
