/**
 * The app: routes for every role. Only the shell and the start page ship in the entry chunk;
 * each page (each admin section, and the dashboard's charts) loads when first opened.
 */
import { Route, Router } from "@solidjs/router";
import { lazy, onMount, type Component } from "solid-js";
import { render } from "solid-js/web";
import { Shell } from "./shell";
import { Start } from "./pages/start";
import { RoleGate, type PageRole } from "./ui/role-gate";
import "./styles.css";

// Each resident page is its own chunk: the card sign-in and home load first, the rest on use.
const CardLogin = lazy(() => import("./pages/resident/card-login"));
const Home = lazy(() => import("./pages/resident/home"));
const History = lazy(() => import("./pages/resident/history"));
const MyApplications = lazy(() => import("./pages/resident/applications"));
const Notices = lazy(() => import("./pages/resident/notices"));
const Apply = lazy(() => import("./pages/resident/apply"));
const GoodsPage = lazy(() => import("./pages/resident/goods"));
const Ranking = lazy(() => import("./pages/resident/ranking"));
const CodeLanding = lazy(() => import("./pages/resident/code-landing"));
const Board = lazy(() => import("./pages/board"));
const StaffLogin = lazy(() => import("./pages/staff-login"));
const HelperLogin = lazy(() => import("./pages/helper-login"));
const Volunteer = lazy(() => import("./pages/volunteer"));
const Reviewer = lazy(() => import("./pages/reviewer"));
const Clerk = lazy(() => import("./pages/clerk"));
const Admin = lazy(() => import("./pages/admin"));
// The county officer's dashboard (uPlot in a chunk of its own below it): nobody else loads it.
const County = lazy(() => import("./pages/officer"));
const RegisterBook = lazy(() => import("./pages/books/register-book"));

const residentPages = [Home, History, MyApplications, Notices, Apply, GoodsPage, Ranking];

/**
 * A page for `roles` only: anyone else signed in is told whose page it is (ui/role-gate.tsx),
 * before the page's chunk loads or asks the server anything.
 */
function only(roles: PageRole[], Page: Component): Component {
  return () => (
    <RoleGate roles={roles}>
      <Page />
    </RoleGate>
  );
}

/**
 * A resident's page. Once one has opened, the other resident pages are fetched too (while the
 * network is there), so the service worker holds them and moving between pages offline works.
 */
function residentPage(Page: Component): Component {
  return only(["resident"], () => {
    onMount(() => {
      if (!navigator.onLine) return;
      // A moment after the page itself, so its own requests go first on a slow line.
      setTimeout(() => residentPages.forEach((page) => void page.preload().catch(() => undefined)), 1500);
    });
    return <Page />;
  });
}

render(
  () => (
    <Router root={Shell}>
      <Route path="/" component={Start} />
      <Route path="/board" component={Board} />
      <Route path="/login" component={CardLogin} />
      <Route path="/c/:payload" component={CardLogin} />
      <Route path="/d/:code" component={CodeLanding} />
      <Route path="/staff" component={StaffLogin} />
      <Route path="/helper" component={HelperLogin} />
      <Route path="/me" component={residentPage(Home)} />
      <Route path="/me/history" component={residentPage(History)} />
      <Route path="/me/applications" component={residentPage(MyApplications)} />
      <Route path="/me/notices" component={residentPage(Notices)} />
      <Route path="/me/apply" component={residentPage(Apply)} />
      <Route path="/me/goods" component={residentPage(GoodsPage)} />
      <Route path="/me/ranking" component={residentPage(Ranking)} />
      <Route path="/volunteer" component={only(["volunteer", "admin"], Volunteer)} />
      <Route path="/review" component={only(["reviewer", "admin"], Reviewer)} />
      <Route path="/review/register" component={only(["reviewer", "admin"], RegisterBook)} />
      <Route path="/shop" component={only(["clerk", "admin"], Clerk)} />
      <Route path="/admin/*section" component={only(["admin"], Admin)} />
      <Route path="/county/*rest" component={only(["officer"], County)} />
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
