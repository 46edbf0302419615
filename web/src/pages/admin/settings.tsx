/** 设置: the community's publicity window, the PIN threshold, the daily cap and automatic top-up. */
import { createResource, createSignal, Show } from "solid-js";
import { limits } from "../../../../shared/limits";
import { settings } from "../../api";
import { t } from "../../i18n";
import { check, rangeProblem } from "../../ui/checks";
import { createAction, ErrorBox, ready, Success } from "../../ui/common";
import { Field, FormPanel } from "../../ui/form-panel";
import { Icon } from "../../ui/icon";

export default function SettingsPage() {
  const [current, { mutate }] = createResource(() => settings.get());
  const [saved, setSaved] = createSignal(false);
  const save = createAction(async (form: HTMLFormElement) => {
    const data = new FormData(form);
    const number = (name: string) => Number(data.get(name));
    // Empty means no cap.
    const capText = String(data.get("dailyRedemptionCap") ?? "").trim();
    const cap = capText ? Number(capText) : null;
    check(
      rangeProblem(t("settings.publicityDays"), number("publicityDays"), limits.publicityDaysMin, limits.publicityDaysMax),
      rangeProblem(t("settings.minPublicityHours"), number("minPublicityHours"), 0, limits.minPublicityHoursMax),
      rangeProblem(t("settings.pinThreshold"), number("pinThreshold"), 0, limits.pinThresholdMax),
      cap === null ? null : rangeProblem(t("settings.dailyRedemptionCap"), cap, 1, limits.dailyRedemptionCapMax),
    );
    setSaved(false);
    mutate(
      await settings.update({
        publicityDays: number("publicityDays"),
        minPublicityHours: number("minPublicityHours"),
        pinThreshold: number("pinThreshold"),
        dailyRedemptionCap: cap,
        autoTopUp: data.get("autoTopUp") === "on",
      }),
    );
    setSaved(true);
  });
  return (
    <>
      <h1>
        <Icon name="settings" /> {t("admin.settings")}
      </h1>
      <ErrorBox error={current.error} />
      <Show when={ready(current)}>
        {(s) => (
          <FormPanel title={t("admin.settings")} submit={t("common.save")} busy={save.busy()} error={save.error()} onSubmit={(form) => void save.run(form)}>
            <Field id="s-days" label={t("settings.publicityDays")}>
              <input id="s-days" name="publicityDays" type="number" min={limits.publicityDaysMin} max={limits.publicityDaysMax} value={s().publicityDays} />
            </Field>
            <Field id="s-hours" label={t("settings.minPublicityHours")}>
              <input id="s-hours" name="minPublicityHours" type="number" min="0" max={limits.minPublicityHoursMax} value={s().minPublicityHours} />
            </Field>
            <Field id="s-pin" label={t("settings.pinThreshold")}>
              <input id="s-pin" name="pinThreshold" type="number" min="0" max={limits.pinThresholdMax} value={s().pinThreshold} />
            </Field>
            <Field id="s-cap" label={t("settings.dailyRedemptionCap")}>
              <input id="s-cap" name="dailyRedemptionCap" type="number" min="1" max={limits.dailyRedemptionCapMax} value={s().dailyRedemptionCap ?? ""} placeholder={t("settings.noCap")} />
            </Field>
            <label style={{ display: "flex", gap: "10px", "align-items": "center", "margin-top": "12px" }}>
              <input id="s-auto" name="autoTopUp" type="checkbox" checked={s().autoTopUp} style={{ width: "28px", height: "28px" }} />
              {t("settings.autoTopUp")}
            </label>
            <Show when={saved()}>
              <Success>{t("settings.saved")}</Success>
            </Show>
          </FormPanel>
        )}
      </Show>
    </>
  );
}
