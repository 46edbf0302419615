/** Add a household, or change one picked in the register (new members are added, never removed here). */
import { createEffect, createSignal, Show } from "solid-js";
import { limits } from "../../../../shared/limits";
import { households, type HouseholdRow } from "../../api";
import { t } from "../../i18n";
import { check, lengthProblem } from "../../ui/checks";
import { createAction } from "../../ui/common";
import { Field, FormPanel } from "../../ui/form-panel";

const empty = { householdNo: "", headName: "", building: "", unit: "", room: "", phone: "", householdType: "", members: "" };
type Draft = typeof empty;

/** The limit of each text field, from the same constants as the server's schema. */
const fieldLimits: { key: keyof Draft; label: `hh.${"no" | "head" | "building" | "unit" | "room" | "phone"}`; max: number }[] = [
  { key: "householdNo", label: "hh.no", max: limits.householdNoLengthMax },
  { key: "headName", label: "hh.head", max: limits.nameLengthMax },
  { key: "building", label: "hh.building", max: limits.buildingLengthMax },
  { key: "unit", label: "hh.unit", max: limits.unitLengthMax },
  { key: "room", label: "hh.room", max: limits.roomLengthMax },
  { key: "phone", label: "hh.phone", max: limits.phoneLengthMax },
];

function draftOf(h: HouseholdRow | null): Draft {
  return h
    ? { householdNo: h.householdNo, headName: h.headName, building: h.building, unit: h.unit ?? "", room: h.room ?? "", phone: h.phone ?? "", householdType: h.householdType ?? "", members: "" }
    : { ...empty };
}

export function HouseholdForm(props: { editing: HouseholdRow | null; onSaved: (name: string) => void; onCancel: () => void }) {
  const [draft, setDraft] = createSignal<Draft>(draftOf(null));
  createEffect(() => setDraft(draftOf(props.editing)));
  const input = (key: keyof Draft) => (e: { currentTarget: HTMLInputElement }) => setDraft({ ...draft(), [key]: e.currentTarget.value });
  const maxOf = (key: keyof Draft) => fieldLimits.find((f) => f.key === key)?.max;
  const save = createAction(async () => {
    const d = draft();
    const members = d.members.split(/[、,，;\n]/).map((m) => m.trim()).filter(Boolean).map((name) => ({ name: name.slice(0, limits.nameLengthMax) }));
    check(
      ...fieldLimits.map((f) => lengthProblem(t(f.label), d[f.key], f.max)),
      lengthProblem(t("hhDesk.type"), d.householdType, limits.householdTypeLengthMax),
      members.length > limits.membersMax ? t("check.range", { field: t("hh.members"), min: 1, max: limits.membersMax }) : null,
    );
    const body = { headName: d.headName, building: d.building, unit: d.unit || null, room: d.room || null, phone: d.phone || null, householdType: d.householdType.trim() || null };
    const editing = props.editing;
    if (editing) await households.update(editing.id, { ...body, ...(members.length ? { addMembers: members } : {}) });
    else await households.create({ ...body, householdNo: d.householdNo, members: members.length ? members : [{ name: d.headName, relation: "户主" }] });
    setDraft(draftOf(null));
    props.onSaved(d.headName);
  });
  return (
    <FormPanel
      title={props.editing ? t("hh.editTitle", { no: props.editing.householdNo }) : t("hh.add")}
      icon={props.editing ? "file" : "plus"}
      submit={t("common.save")}
      submitTestid="save-household"
      busy={save.busy()}
      error={save.error()}
      onSubmit={() => void save.run()}
      actions={
        <Show when={props.editing}>
          <button type="button" class="plain" style={{ flex: "none" }} onClick={() => props.onCancel()}>
            {t("common.cancel")}
          </button>
        </Show>
      }
    >
      <div class="row">
        <Show when={!props.editing}>
          <Field id="f-no" label={t("hh.no")}>
            <input id="f-no" required maxlength={maxOf("householdNo")} value={draft().householdNo} onInput={input("householdNo")} />
          </Field>
        </Show>
        <Field id="f-head" label={t("hh.head")}>
          <input id="f-head" required maxlength={maxOf("headName")} value={draft().headName} onInput={input("headName")} />
        </Field>
        <Field id="f-building" label={t("hh.building")}>
          <input id="f-building" required maxlength={maxOf("building")} value={draft().building} onInput={input("building")} />
        </Field>
      </div>
      <div class="row">
        <Field id="f-unit" label={t("hh.unit")}>
          <input id="f-unit" maxlength={maxOf("unit")} value={draft().unit} onInput={input("unit")} />
        </Field>
        <Field id="f-room" label={t("hh.room")}>
          <input id="f-room" maxlength={maxOf("room")} value={draft().room} onInput={input("room")} />
        </Field>
        <Field id="f-phone" label={t("hh.phone")}>
          <input id="f-phone" type="tel" maxlength={maxOf("phone")} value={draft().phone} onInput={input("phone")} />
        </Field>
        <Field id="f-type" label={t("hhDesk.typeField")}>
          <input id="f-type" maxlength={limits.householdTypeLengthMax} value={draft().householdType} onInput={input("householdType")} />
        </Field>
      </div>
      <Field id="f-members" label={props.editing ? t("hh.addMembers") : t("hh.members")}>
        <input id="f-members" value={draft().members} placeholder="张三、李四" onInput={input("members")} />
      </Field>
    </FormPanel>
  );
}
