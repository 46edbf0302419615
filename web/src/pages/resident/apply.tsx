/**
 * 申请积分, one choice per screen: which carrier (载体) → which rule → what was done (and who,
 * with a photo if they like). Opened from a notice, only the rules that notice names are offered.
 */
import { A, useSearchParams } from "@solidjs/router";
import { createMemo, createResource, createSignal, For, Show } from "solid-js";
import { carriers, type Carrier } from "../../../../shared/domain";
import { limits } from "../../../../shared/limits";
import { applications, households, isId, notices, rules, type Rule } from "../../api";
import { categoryName, t } from "../../i18n";
import { check, lengthProblem } from "../../ui/checks";
import { BackLink, createAction, ErrorBox, ready, Success } from "../../ui/common";
import { CarrierIcon, Icon } from "../../ui/icon";
import { createKept, KeptState } from "../../ui/kept";
import { withTimeout } from "../../ui/offline";
import { useHouseholdId } from "./household";

/** Shrinks a photo until its data URL fits the API's evidence limit (an upload service is future work). */
async function photoToEvidence(file: File): Promise<string> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    // Not an image the browser can decode (a damaged file, or a format it does not know).
    throw new Error(t("apply.photoUnreadable"));
  }
  const canvas = document.createElement("canvas");
  for (const size of [160, 128, 96, 72, 56]) {
    for (const quality of [0.6, 0.4, 0.25]) {
      const scale = Math.min(1, size / Math.max(bitmap.width, bitmap.height));
      canvas.width = Math.max(1, Math.round(bitmap.width * scale));
      canvas.height = Math.max(1, Math.round(bitmap.height * scale));
      canvas.getContext("2d")?.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      const url = canvas.toDataURL("image/jpeg", quality);
      if (url.length <= limits.evidenceItemLengthMax) return url;
    }
  }
  throw new Error(t("apply.photoTooBig"));
}

export default function Apply() {
  const householdId = useHouseholdId();
  // Kept on the phone like the home page's: offline the choices still show (sending needs the network).
  const household = createKept(householdId, "household", (id) => households.get(id));
  const ruleList = createKept(householdId, "rules", () => rules.list());
  // The router's search params: a link from the notices page renders this page before the
  // browser's address changes, so window.location would still be the old one. An id that is
  // not one (a hand-edited link) is ignored.
  const [search] = useSearchParams();
  const noticeId = () => (isId(search.notice) ? search.notice : undefined);
  const [carrier, setCarrier] = createSignal<Carrier | null>(null);
  const [rule, setRule] = createSignal<Rule | null>(null);
  const [memberId, setMemberId] = createSignal("");
  const [description, setDescription] = createSignal("");
  const [photo, setPhoto] = createSignal<string | null>(null);
  const [done, setDone] = createSignal(false);
  // Applying for a notice: only the rules that notice names (the API refuses any other).
  const [noticeList] = createResource(() => (householdId() && noticeId() ? noticeId() : false), () => withTimeout(notices.list()).catch(() => null));
  const noticeRules = () => ready(noticeList)?.items.find((n) => n.id === noticeId())?.ruleIds ?? [];
  const rulesOf = createMemo(() =>
    (ruleList.value()?.items ?? []).filter((r) => r.category === carrier() && r.kind === "award" && (!noticeRules().length || noticeRules().includes(r.id))),
  );
  const photoAction = createAction(async (file: File) => {
    setPhoto(null);
    setPhoto(await photoToEvidence(file));
  });
  const submit = createAction(async (chosen: Rule) => {
    check(lengthProblem(t("apply.description"), description(), limits.textLengthMax));
    const evidence = photo();
    await applications.create({
      householdId: householdId() ?? "",
      memberId: memberId() || undefined,
      ruleId: chosen.id,
      noticeId: noticeId(),
      description: description().trim(),
      evidence: evidence ? [evidence] : undefined,
    });
    setDone(true);
  });
  const step = () => (done() ? 5 : !carrier() ? 1 : !rule() ? 2 : 3);
  const members = () => household.value()?.members ?? [];
  return (
    <>
      <BackLink href="/me" />
      <h1>
        <Icon name="plus" /> {t("apply.title")}
      </h1>
      <p class="muted">{t("apply.step", { n: Math.min(step(), 4), of: 4 })}</p>
      <KeptState data={ruleList} />
      <Show when={!done()} fallback={<Done />}>
        <Show when={step() === 1}>
          <h2>{t("apply.pickCarrier")}</h2>
          <div class="choices">
            <For each={[...carriers]}>
              {(c) => (
                <button type="button" onClick={() => setCarrier(c)} data-testid={`carrier-${c}`}>
                  <CarrierIcon category={c} size={32} /> {categoryName(c)}
                </button>
              )}
            </For>
          </div>
        </Show>
        <Show when={step() === 2 ? carrier() : null}>
          {(chosen) => (
            <>
              <h2>{t("apply.pickRule", { carrier: categoryName(chosen()) })}</h2>
              <Show when={rulesOf().length} fallback={<p class="muted">{t("apply.noRules")}</p>}>
                <div class="choices">
                  <For each={rulesOf()}>
                    {(r) => (
                      <button type="button" onClick={() => setRule(r)} data-testid="rule-choice">
                        <Icon name="file" />
                        <span>
                          {r.title}
                          <br />
                          <span class="small muted">{t("apply.range", { min: r.minPoints, max: r.maxPoints })}</span>
                        </span>
                      </button>
                    )}
                  </For>
                </div>
              </Show>
              <button class="plain" type="button" onClick={() => setCarrier(null)} style={{ "margin-top": "12px" }}>
                <Icon name="back" /> {t("apply.changeCarrier")}
              </button>
            </>
          )}
        </Show>
        <Show when={step() === 3 ? rule() : null}>
          {(chosen) => (
            <form
              onSubmit={(e) => {
                e.preventDefault();
                void submit.run(chosen());
              }}
            >
              <div class="panel">
                <strong>{chosen().title}</strong>
                <div class="muted small">
                  {categoryName(chosen().category)} · {t("apply.range", { min: chosen().minPoints, max: chosen().maxPoints })}
                </div>
              </div>
              <Show when={members().length > 1}>
                <label for="member">{t("apply.member")}</label>
                <select id="member" value={memberId()} onChange={(e) => setMemberId(e.currentTarget.value)}>
                  <option value="">{t("apply.wholeHousehold")}</option>
                  <For each={members()}>{(m) => <option value={m.id}>{m.name}</option>}</For>
                </select>
              </Show>
              <label for="description">{t("apply.description")}</label>
              <textarea
                id="description"
                required
                maxlength={limits.textLengthMax}
                placeholder={t("apply.descriptionHint")}
                value={description()}
                onInput={(e) => setDescription(e.currentTarget.value)}
              />
              <label for="photo">
                <Icon name="camera" /> {t("apply.photo")}
              </label>
              <input
                id="photo"
                type="file"
                accept="image/*"
                capture="environment"
                onChange={(e) => {
                  const file = e.currentTarget.files?.[0];
                  if (file) void photoAction.run(file);
                }}
              />
              <Show when={photo()}>
                {(src) => <img src={src()} alt={t("apply.photoPreview")} style={{ "max-width": "160px", "margin-top": "8px", "border-radius": "8px" }} />}
              </Show>
              <ErrorBox error={photoAction.error() ?? submit.error()} />
              <button class="big" type="submit" disabled={submit.busy() || photoAction.busy() || !description().trim()} style={{ "margin-top": "16px" }}>
                <Icon name="check" /> {t("apply.submit")}
              </button>
              <button class="plain" type="button" onClick={() => setRule(null)} style={{ "margin-top": "12px" }}>
                <Icon name="back" /> {t("apply.changeRule")}
              </button>
            </form>
          )}
        </Show>
      </Show>
    </>
  );
}

function Done() {
  return (
    <>
      <Success>{t("apply.done")}</Success>
      <A class="btn big" href="/me/applications">
        <Icon name="clock" /> {t("home.applications")}
      </A>
    </>
  );
}
