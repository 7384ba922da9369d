import { useEffect, useRef } from 'react';
import * as echarts from 'echarts/core';
import type { ComposeOption, EChartsType } from 'echarts/core';
import { BarChart, LineChart, type BarSeriesOption, type LineSeriesOption } from 'echarts/charts';
import {
  GridComponent,
  LegendPlainComponent,
  TooltipComponent,
  type GridComponentOption,
  type LegendComponentOption,
  type TooltipComponentOption,
} from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';

// Only what the dashboard draws, so the chunk that loads with it stays small. SVG rather than
// canvas: crisp at any zoom, and the drawing is elements a test can count.
echarts.use([BarChart, LineChart, GridComponent, LegendPlainComponent, TooltipComponent, SVGRenderer]);

export type ChartOption = ComposeOption<
  BarSeriesOption | LineSeriesOption | GridComponentOption | LegendComponentOption | TooltipComponentOption
>;

const reducedMotion = () => window.matchMedia('(prefers-reduced-motion: reduce)').matches;

/**
 * One ECharts chart, drawn into a box that follows its width. The chart is an image to
 * assistive technology, named by `label`; the table under it carries the numbers.
 */
export function ReportChart({ option, label }: { option: ChartOption; label: string }) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<EChartsType | null>(null);

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const instance = echarts.init(element, undefined, { renderer: 'svg' });
    chart.current = instance;
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(element);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption({ animation: !reducedMotion(), ...option }, { notMerge: true });
  }, [option]);

  // The canvas takes its text direction from the element: under right to left, ECharts' labels
  // would be drawn leftwards from their anchors, over the legend's symbols. The options mirror
  // the layout themselves (src/web/src/screens/reports/report-charts.ts), and Arabic words still
  // read right to left inside a left-to-right canvas.
  return <div ref={box} className="report-chart" role="img" aria-label={label} dir="ltr" />;
}
