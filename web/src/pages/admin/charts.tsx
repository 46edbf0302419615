/**
 * Hand-drawn SVG bar charts for the dashboard. Loaded only when the dashboard opens, so no
 * other screen pays for them. Each chart also carries a table for screen readers.
 */
import { For } from "solid-js";

export interface Bar {
  label: string;
  value: number;
}

export default function BarChart(props: { title: string; bars: Bar[]; unit?: string; color?: string }) {
  const rowHeight = 34;
  const labelWidth = 150;
  const width = 640;
  const max = () => Math.max(1, ...props.bars.map((b) => Math.abs(b.value)));
  const height = () => Math.max(1, props.bars.length) * rowHeight + 8;
  return (
    <figure class="panel" style={{ margin: "12px 0" }}>
      <figcaption>
        <h3 style={{ margin: "0 0 8px" }}>{props.title}</h3>
      </figcaption>
      <svg class="bars" viewBox={`0 0 ${width} ${height()}`} width="100%" role="img" aria-label={props.title}>
        <For each={props.bars}>
          {(bar, i) => {
            const y = () => i() * rowHeight + 4;
            const w = () => Math.max(2, (Math.abs(bar.value) / max()) * (width - labelWidth - 80));
            return (
              <g>
                <text x={labelWidth - 8} y={y() + 20} text-anchor="end">
                  {bar.label}
                </text>
                <rect x={labelWidth} y={y() + 4} width={w()} height={rowHeight - 12} rx="4" fill={props.color ?? "#b3261e"} />
                <text x={labelWidth + w() + 6} y={y() + 20}>
                  {bar.value.toLocaleString()}
                  {props.unit ?? ""}
                </text>
              </g>
            );
          }}
        </For>
      </svg>
      <table class="sr-only">
        <caption>{props.title}</caption>
        <tbody>
          <For each={props.bars}>
            {(bar) => (
              <tr>
                <th scope="row">{bar.label}</th>
                <td>{bar.value}</td>
              </tr>
            )}
          </For>
        </tbody>
      </table>
    </figure>
  );
}
