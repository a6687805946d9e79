// JS side of Components/Shared/Charts/ApexChart.razor: one ApexCharts instance per element.
// Created once; later data goes through updateSeries/updateOptions (no re-creation).

const instances = new Map();

// xaxis.indexLabels (see ChartXAxis.IndexLabels): x values are bar indexes, named by this list.
function indexed(o) {
  const labels = o.xaxis && o.xaxis.indexLabels;
  if (!labels) return o;
  delete o.xaxis.indexLabels;
  const name = (v) => labels[Math.round(v)] ?? "";
  o.xaxis.type = "numeric";
  o.xaxis.min = -0.5;
  o.xaxis.max = labels.length - 0.5;
  o.xaxis.labels = Object.assign({}, o.xaxis.labels, { formatter: name });
  o.xaxis.tooltip = { enabled: false };
  o.tooltip = Object.assign({}, o.tooltip, { x: { formatter: name } });
  return o;
}

function themed(options) {
  const mode = window.signalbook ? window.signalbook.currentTheme() : "light";
  const o = indexed(structuredClone(options));
  o.theme = Object.assign({}, o.theme, { mode });
  o.chart = Object.assign({ background: "transparent", fontFamily: "inherit" }, o.chart);
  return o;
}

function onTheme(event) {
  for (const entry of instances.values()) {
    entry.chart.updateOptions({ theme: { mode: event.detail.theme } }, false, false);
  }
}
document.addEventListener("signalbook:theme", onTheme);

export async function create(element, id, options) {
  if (!window.ApexCharts) throw new Error("ApexCharts is not loaded (lib/apexcharts/apexcharts.min.js).");
  destroy(id);
  // The page may have moved on between the component's render and this call (a navigation, a re-render without the
  // chart): ApexCharts then fails with "Element not found". There is nothing to draw into; that is not an error.
  if (!element || !element.isConnected) return;
  const chart = new window.ApexCharts(element, themed(options));
  try {
    await chart.render();
  } catch (e) {
    if (element.isConnected) throw e;
    return;
  }
  if (!element.isConnected) {
    chart.destroy();
    return;
  }
  instances.set(id, { chart, element, updates: 0 });
  element.dataset.chartReady = "true";
  element.dataset.chartUpdates = "0";
}

export async function update(id, series, options) {
  const entry = instances.get(id);
  if (!entry) {
    console.warn(`charts.update: no chart ${id}`);
    return;
  }
  if (options) {
    const rest = indexed(structuredClone(options));
    delete rest.series;
    await entry.chart.updateOptions(rest, false, true);
  }
  await entry.chart.updateSeries(series, true);
  entry.updates += 1;
  entry.element.dataset.chartUpdates = String(entry.updates);
}

export function destroy(id) {
  const entry = instances.get(id);
  if (!entry) return;
  instances.delete(id);
  try { entry.chart.destroy(); } catch { /* element already gone */ }
}
