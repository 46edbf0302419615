/**
 * The region's last twelve months as a line chart (uPlot: small, fast, canvas, no dependencies),
 * points awarded, redeemed and still outstanding per month. Its own chunk, so uPlot loads only
 * when the chart is shown. A table carries the same figures for screen readers.
 */
import { createEffect, For, onCleanup, onMount } from "solid-js";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { RegionTrend } from "../../api";
import { fmtPoints } from "../../i18n";
import { w } from "./words";

type Month = RegionTrend["months"][number];

const lines = [
  { key: "pointsAwarded", label: () => w("trendAwarded"), color: "#1b6e35" },
  { key: "pointsRedeemed", label: () => w("trendRedeemed"), color: "#b3261e" },
  { key: "pointsOutstanding", label: () => w("trendOutstanding"), color: "#8a5a00" },
] as const;

export default function TrendChart(props: { months: Month[]; title: string }) {
  let box!: HTMLDivElement;
  let plot: uPlot | undefined;
  const data = (): uPlot.AlignedData => [props.months.map((_, i) => i), ...lines.map((line) => props.months.map((m) => m[line.key]))];
  const height = 260;

  onMount(() => {
    const months = () => props.months.map((m) => m.month);
    plot = new uPlot(
      {
        width: Math.max(280, box.clientWidth),
        height,
        scales: { x: { time: false } },
        series: [{ label: w("trendMonth"), value: (_u, i) => (i === null ? "" : months()[i] ?? "") }, ...lines.map((line) => ({ label: line.label(), stroke: line.color, width: 2, points: { size: 6 }, value: (_u: uPlot, v: number | null) => (v === null ? "" : fmtPoints(v)) }))],
        axes: [
          { incrs: [1, 2, 3], values: (_u, splits) => splits.map((i) => months()[i]?.slice(2) ?? ""), stroke: "#1f1a17" },
          { size: 64, values: (_u, splits) => splits.map((v) => fmtPoints(v)), stroke: "#1f1a17" },
        ],
      },
      data(),
      box,
    );
    // The chart follows its box: a tablet turned, a window resized, the page printed.
    const observer = new ResizeObserver(() => plot?.setSize({ width: Math.max(280, box.clientWidth), height }));
    observer.observe(box);
    onCleanup(() => {
      observer.disconnect();
      plot?.destroy();
    });
  });
  createEffect(() => plot?.setData(data()));

  return (
    <figure class="panel county-chart" style={{ margin: "12px 0" }} data-testid="trend">
      <figcaption>
        <h3 style={{ margin: "0 0 8px" }}>{props.title}</h3>
      </figcaption>
      <div ref={box} role="img" aria-label={props.title} />
      <table class="sr-only">
        <caption>{props.title}</caption>
        <thead>
          <tr>
            <th scope="col">{w("trendMonth")}</th>
            <For each={lines}>{(line) => <th scope="col">{line.label()}</th>}</For>
          </tr>
        </thead>
        <tbody>
          <For each={props.months}>
            {(m) => (
              <tr>
                <th scope="row">{m.month}</th>
                <For each={lines}>{(line) => <td>{m[line.key]}</td>}</For>
              </tr>
            )}
          </For>
        </tbody>
      </table>
    </figure>
  );
}
