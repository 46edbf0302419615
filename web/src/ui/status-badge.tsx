/** Where an application stands, as a coloured word (green credited, red stopped, amber on its way). */
import { t } from "../i18n";

export function StatusBadge(props: { status: string }) {
  const tone = () => (props.status === "credited" ? "ok" : props.status === "rejected" || props.status === "cancelled" ? "bad" : "warn");
  return <span class={`badge ${tone()}`}>{t(`status.${props.status}` as "status.submitted") || props.status}</span>;
}
