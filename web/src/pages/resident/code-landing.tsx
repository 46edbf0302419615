/** Where a phone camera lands when it scans a one-time code: it is for the shop, not a link. */
import { A } from "@solidjs/router";
import { t } from "../../i18n";
import { Icon } from "../../ui/icon";

export default function CodeLanding() {
  return (
    <section class="panel" role="status">
      <h1>
        <Icon name="card" /> {t("home.codeAlt")}
      </h1>
      <p>{t("home.codeLanding")}</p>
      <A href="/">{t("home.codeHome")}</A>
    </section>
  );
}
