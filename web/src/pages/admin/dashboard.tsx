/** 概览: a new community's checklist (until it is done), the community's figures and two charts (points by carrier, the top ten households). */
import { createResource, lazy, Show, Suspense } from "solid-js";
import { carriers } from "../../../../shared/domain";
import { reports } from "../../api";
import { categoryName, fmtPoints, t } from "../../i18n";
import { ErrorBox, Loading, ready } from "../../ui/common";
import { Icon } from "../../ui/icon";
import { OnboardingChecklist } from "./onboarding";

const BarChart = lazy(() => import("./charts"));

function Stat(props: { label: string; value: string | number; testid?: string }) {
  return (
    <div class="stat">
      <span class="muted small">{props.label}</span>
      <b data-testid={props.testid}>{props.value}</b>
    </div>
  );
}

export default function Dashboard() {
  const [summary] = createResource(() => reports.summary());
  const [ranking] = createResource(() => reports.ranking().catch(() => null));
  const topTen = () => (ready(ranking)?.items ?? []).slice(0, 10);
  return (
    <>
      <h1>
        <Icon name="chart" /> {t("admin.dashboard")}
      </h1>
      <OnboardingChecklist />
      <ErrorBox error={summary.error} />
      <Show when={ready(summary)} fallback={<Show when={!summary.error}><Loading /></Show>}>
        {(s) => (
          <>
            <div class="stats" data-testid="summary">
              <Stat label={t("dash.households")} value={fmtPoints(s().households)} />
              <Stat label={t("dash.participation")} value={`${(s().participationRate * 100).toFixed(1)}%`} />
              <Stat label={t("dash.awarded")} value={fmtPoints(s().pointsAwarded)} testid="points-awarded" />
              <Stat label={t("dash.deducted")} value={fmtPoints(s().pointsDeducted)} />
              <Stat label={t("dash.redeemed")} value={fmtPoints(s().pointsRedeemed)} />
              <Stat label={t("dash.outstanding")} value={fmtPoints(s().pointsOutstanding)} />
            </div>
            <Suspense fallback={<Loading />}>
              <BarChart title={t("dash.byCategory")} bars={[...carriers].map((c) => ({ label: categoryName(c), value: s().byCategory.find((b) => b.category === c)?.points ?? 0 }))} />
              <Show when={topTen().length}>
                <BarChart title={t("dash.ranking")} color="#8a5a00" bars={topTen().map((r) => ({ label: `${r.rank}. ${r.headName || r.householdNo || ""}`, value: r.score }))} />
              </Show>
            </Suspense>
          </>
        )}
      </Show>
    </>
  );
}
