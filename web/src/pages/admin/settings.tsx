/**
 * 设置: the community's publicity window (never below the deployment's floor, shown beside it),
 * the supervision phone printed on the 公示, the PIN threshold, the daily cap and automatic top-up.
 */
import { createResource, createSignal, Show } from "solid-js";
import { limits } from "../../../../shared/limits";
import { ApiError, settings } from "../../api";
import { t } from "../../i18n";
import { check, lengthProblem, rangeProblem } from "../../ui/checks";
import { createAction, ErrorBox, ready, Success } from "../../ui/common";
import { Field, FormPanel } from "../../ui/form-panel";
import { Icon } from "../../ui/icon";

/** The floor a refusal names: the server's `details.publicityFloorHours` for a publicity field. */
function floorRefusal(error: unknown): number | null {
  if (!(error instanceof ApiError) || error.code !== "VALIDATION_FAILED") return null;
  const floor = error.details.publicityFloorHours;
  return typeof floor === "number" ? floor : null;
}

export default function SettingsPage() {
  const [current, { mutate }] = createResource(() => settings.get());
  const [saved, setSaved] = createSignal(false);
  // A window below the floor, found by the form or refused by the server: said under the field.
  const [belowFloor, setBelowFloor] = createSignal<number | null>(null);
  const save = createAction(async (form: HTMLFormElement) => {
    const data = new FormData(form);
    const number = (name: string) => Number(data.get(name));
    // Empty means no cap.
    const capText = String(data.get("dailyRedemptionCap") ?? "").trim();
    const cap = capText ? Number(capText) : null;
    const phone = String(data.get("supervisionPhone") ?? "").trim();
    const floor = ready(current)?.publicityFloorHours ?? 0;
    setSaved(false);
    setBelowFloor(number("minPublicityHours") < floor || number("publicityDays") * 24 < floor ? floor : null);
    // The offline per-redemption cap is checked (and sent) only when the admin changes it: the
    // counter uses the lower of it and the PIN threshold, so lowering the threshold alone must not
    // make the whole form unsavable.
    const perRedemptionChanged = number("offlinePerRedemptionMax") !== ready(current)?.offlinePerRedemptionMax;
    check(
      rangeProblem(t("settings.publicityDays"), number("publicityDays"), limits.publicityDaysMin, limits.publicityDaysMax),
      rangeProblem(t("settings.minPublicityHours"), number("minPublicityHours"), 0, limits.minPublicityHoursMax),
      belowFloor() === null ? null : t("settingsDesk.refused", { n: floor }),
      rangeProblem(t("settings.pinThreshold"), number("pinThreshold"), 0, limits.pinThresholdMax),
      cap === null ? null : rangeProblem(t("settings.dailyRedemptionCap"), cap, 1, limits.dailyRedemptionCapMax),
      lengthProblem(t("settingsDesk.supervisionPhone"), phone, limits.phoneLengthMax),
      rangeProblem(t("offline.settingsWindow"), number("offlineWindowHours"), 1, limits.offlineWindowHoursMax),
      perRedemptionChanged ? rangeProblem(t("offline.settingsPerRedemption"), number("offlinePerRedemptionMax"), 1, number("pinThreshold")) : null,
      rangeProblem(t("offline.settingsPerDevice"), number("offlinePerDeviceMax"), 0, limits.offlinePerDeviceMaxMax),
    );
    try {
      mutate(
        await settings.update({
          publicityDays: number("publicityDays"),
          minPublicityHours: number("minPublicityHours"),
          pinThreshold: number("pinThreshold"),
          dailyRedemptionCap: cap,
          autoTopUp: data.get("autoTopUp") === "on",
          supervisionPhone: phone || null,
          offlineWindowHours: number("offlineWindowHours"),
          ...(perRedemptionChanged ? { offlinePerRedemptionMax: number("offlinePerRedemptionMax") } : {}),
          offlinePerDeviceMax: number("offlinePerDeviceMax"),
        }),
      );
    } catch (err) {
      setBelowFloor(floorRefusal(err));
      throw err;
    }
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
              <input id="s-hours" name="minPublicityHours" type="number" min="0" max={limits.minPublicityHoursMax} value={s().minPublicityHours} aria-describedby="s-floor" />
            </Field>
            <p id="s-floor" class="small muted" style={{ margin: "4px 0 0" }} data-testid="publicity-floor">
              {t("settingsDesk.floor", { n: s().publicityFloorHours })}
            </p>
            <Show when={belowFloor() !== null}>
              <p class="error" role="alert" data-testid="floor-refused">
                <Icon name="alert" />
                <span>{t("settingsDesk.refusedWhy", { n: belowFloor() ?? s().publicityFloorHours })}</span>
              </p>
            </Show>
            <Field id="s-phone" label={t("settingsDesk.supervisionPhone")}>
              <input id="s-phone" name="supervisionPhone" type="tel" maxlength={limits.phoneLengthMax} value={s().supervisionPhone ?? ""} />
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
            <h3>{t("offline.settingsTitle")}</h3>
            <Field id="s-off-window" label={t("offline.settingsWindow")}>
              <input id="s-off-window" name="offlineWindowHours" type="number" min="1" max={limits.offlineWindowHoursMax} value={s().offlineWindowHours} />
            </Field>
            <Field id="s-off-redemption" label={t("offline.settingsPerRedemption")}>
              <input id="s-off-redemption" name="offlinePerRedemptionMax" type="number" min="1" max={limits.pinThresholdMax} value={s().offlinePerRedemptionMax} />
            </Field>
            <Field id="s-off-device" label={t("offline.settingsPerDevice")}>
              <input id="s-off-device" name="offlinePerDeviceMax" type="number" min="0" max={limits.offlinePerDeviceMaxMax} value={s().offlinePerDeviceMax} aria-describedby="s-off-risk" />
            </Field>
            <p id="s-off-risk" class="small muted">
              {t("offline.settingsRisk")}
            </p>
            <Show when={saved()}>
              <Success>{t("settings.saved")}</Success>
            </Show>
          </FormPanel>
        )}
      </Show>
    </>
  );
}
