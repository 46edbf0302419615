/**
 * The app: routes for every role. Only the shell and the start page ship in the entry chunk;
 * each role's pages (and the admin area and its charts) load when first opened.
 */
import { Route, Router } from "@solidjs/router";
import { lazy } from "solid-js";
import { render } from "solid-js/web";
import { Shell } from "./shell";
import { Start } from "./pages/start";
import "./styles.css";

const resident = () => import("./pages/resident");
const CardLogin = lazy(() => resident().then((m) => ({ default: m.CardLogin })));
const Home = lazy(() => resident().then((m) => ({ default: m.Home })));
const History = lazy(() => resident().then((m) => ({ default: m.History })));
const MyApplications = lazy(() => resident().then((m) => ({ default: m.MyApplications })));
const Notices = lazy(() => resident().then((m) => ({ default: m.Notices })));
const Apply = lazy(() => resident().then((m) => ({ default: m.Apply })));
const GoodsPage = lazy(() => resident().then((m) => ({ default: m.GoodsPage })));
const Ranking = lazy(() => resident().then((m) => ({ default: m.Ranking })));
const CodeLanding = lazy(() => resident().then((m) => ({ default: m.CodeLanding })));
const Board = lazy(() => import("./pages/board"));
const StaffLogin = lazy(() => import("./pages/staff-login"));
const Volunteer = lazy(() => import("./pages/volunteer"));
const Reviewer = lazy(() => import("./pages/reviewer"));
const Clerk = lazy(() => import("./pages/clerk"));
const Admin = lazy(() => import("./pages/admin/admin"));

render(
  () => (
    <Router root={Shell}>
      <Route path="/" component={Start} />
      <Route path="/board" component={Board} />
      <Route path="/login" component={CardLogin} />
      <Route path="/c/:payload" component={CardLogin} />
      <Route path="/d/:code" component={CodeLanding} />
      <Route path="/staff" component={StaffLogin} />
      <Route path="/me" component={Home} />
      <Route path="/me/history" component={History} />
      <Route path="/me/applications" component={MyApplications} />
      <Route path="/me/notices" component={Notices} />
      <Route path="/me/apply" component={Apply} />
      <Route path="/me/goods" component={GoodsPage} />
      <Route path="/me/ranking" component={Ranking} />
      <Route path="/volunteer" component={Volunteer} />
      <Route path="/review" component={Reviewer} />
      <Route path="/shop" component={Clerk} />
      <Route path="/admin/*section" component={Admin} />
    </Router>
  ),
  document.getElementById("root")!,
);

// The service worker keeps the app shell for offline use; it is skipped on the dev server
// (Vite serves modules that change on every edit). MODE, not PROD: PROD follows NODE_ENV, so a
// build run with NODE_ENV=test (as under vitest) would otherwise ship without it.
if ("serviceWorker" in navigator && import.meta.env.MODE !== "development") {
  const register = () => void navigator.serviceWorker.register("/sw.js").catch(() => undefined);
  if (document.readyState === "complete") register();
  else window.addEventListener("load", register, { once: true });
}
