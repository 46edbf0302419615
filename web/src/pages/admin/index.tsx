/**
 * The station office (admin, desktop first): a menu of sections, each its own lazy chunk
 * (the dashboard's charts a further one), so opening one section loads only that section.
 */
import { A, useParams } from "@solidjs/router";
import { For, lazy, Show, Suspense, type Component } from "solid-js";
import { Dynamic } from "solid-js/web";
import type { Dictionary } from "../../i18n/zh";
import { t } from "../../i18n";
import { Loading } from "../../ui/common";
import { useStaffRole } from "../../ui/guard";
import { Icon, type IconName } from "../../ui/icon";

const Dashboard = lazy(() => import("./dashboard"));
const CardSheet = lazy(() => import("./cards"));
const HouseholdCare = lazy(() => import("./household-care"));

const sections: { path: string; icon: IconName; key: Exclude<keyof Dictionary["admin"], "nav">; page: Component }[] = [
  { path: "", icon: "chart", key: "dashboard", page: Dashboard },
  { path: "households", icon: "home", key: "households", page: lazy(() => import("./households")) },
  { path: "card-desk", icon: "card", key: "cardDesk", page: lazy(() => import("./card-desk")) },
  { path: "rules", icon: "file", key: "rules", page: lazy(() => import("./rules")) },
  { path: "notices", icon: "bell", key: "notices", page: lazy(() => import("./notices")) },
  { path: "publicity", icon: "flag", key: "publicity", page: lazy(() => import("./publicity")) },
  { path: "topups", icon: "trend", key: "topups", page: lazy(() => import("./topups")) },
  { path: "goods", icon: "gift", key: "goods", page: lazy(() => import("./goods")) },
  { path: "receipts", icon: "file", key: "receipts", page: lazy(() => import("./receipts")) },
  { path: "stock", icon: "box", key: "stock", page: lazy(() => import("./stock")) },
  { path: "shortfalls", icon: "alert", key: "shortfalls", page: lazy(() => import("./shortfalls")) },
  { path: "users", icon: "users", key: "users", page: lazy(() => import("./users")) },
  { path: "settings", icon: "settings", key: "settings", page: lazy(() => import("./settings")) },
  { path: "register", icon: "file", key: "register", page: lazy(() => import("../books/register-book")) },
  { path: "monthly", icon: "chart", key: "monthly", page: lazy(() => import("./monthly")) },
  { path: "settlements", icon: "briefcase", key: "settlements", page: lazy(() => import("./settlements")) },
  { path: "audit", icon: "list", key: "audit", page: lazy(() => import("./audit")) },
];

export default function Admin() {
  const user = useStaffRole("admin");
  const params = useParams();
  const section = () => (params.section ?? "").split("/")[0];
  // The card sheet is reached from the households page, not from the menu.
  // One household's helpers and statement (/admin/household/<id>) too.
  const page = () => (section() === "cards" ? CardSheet : section() === "household" ? HouseholdCare : sections.find((s) => s.path === section())?.page ?? Dashboard);
  return (
    <Show when={user()} fallback={<Loading />}>
      <div class="admin">
        <nav aria-label={t("admin.nav")}>
          <For each={sections}>
            {(s) => (
              <A href={`/admin/${s.path}`} end>
                <Icon name={s.icon} size={20} />
                {t(`admin.${s.key}`)}
              </A>
            )}
          </For>
        </nav>
        <div>
          <Suspense fallback={<Loading />}>
            <Dynamic component={page()} />
          </Suspense>
        </div>
      </div>
    </Show>
  );
}
