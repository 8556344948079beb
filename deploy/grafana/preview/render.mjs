#!/usr/bin/env node
/**
 * Draws the Argus Grafana dashboard from a live Prometheus into a PNG, without Grafana:
 * every panel of deploy/grafana/dashboards/argus.json, laid out on its gridPos, each query
 * run through Prometheus' query_range API exactly as written (Grafana variables replaced),
 * drawn as SVG and screenshotted in headless Chromium (playwright-core).
 *
 *   node deploy/grafana/preview/render.mjs --prometheus http://127.0.0.1:9090 \
 *     --out docs/images/metrics-dashboard.png [--minutes 10] [--end <unix s>] [--rows Overview,Queues] [--width 1600]
 *
 * Chromium: CHROMIUM_PATH, else /usr/bin/chromium. The PNG is reduced to a 256-colour palette
 * with sharp (a gateway dependency).
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = Object.fromEntries(
  process.argv
    .slice(2)
    .join(' ')
    .split(/\s*--/)
    .filter(Boolean)
    .map((a) => {
      const [k, ...v] = a.split(/\s+/);
      return [k, v.join(' ')];
    }),
);
const PROM = args.prometheus ?? 'http://127.0.0.1:9090';
const OUT = path.resolve(args.out ?? 'metrics-dashboard.png');
const MINUTES = Number(args.minutes ?? 10);
const WIDTH = Number(args.width ?? 1600);
const RATE = args.rate ?? '1m';
const ROWS = args.rows ? args.rows.split(',').map((s) => s.trim()) : undefined;
const dashboard = JSON.parse(
  fs.readFileSync(args.dashboard ?? path.join(here, '..', 'dashboards', 'argus.json'), 'utf8'),
);

const COLORS = [
  '#73BF69',
  '#F2CC0C',
  '#8AB8FF',
  '#FF780A',
  '#F2495C',
  '#5794F2',
  '#B877D9',
  '#FADE2A',
  '#37872D',
  '#FF9830',
  '#1F60C4',
  '#C4162A',
];

/** Panels to draw: all, or those under the chosen rows, re-stacked from the top. */
function selectPanels() {
  const out = [];
  let row = null;
  let shift = 0;
  let lastY = -1;
  for (const p of dashboard.panels) {
    if (p.type === 'row') {
      row = p.title;
      if (ROWS && !ROWS.includes(row)) continue;
      if (ROWS) {
        shift = p.gridPos.y - (lastY + 1);
      }
    }
    if (ROWS && !ROWS.includes(row)) continue;
    const gridPos = { ...p.gridPos, y: p.gridPos.y - (ROWS ? shift : 0) };
    lastY = Math.max(lastY, gridPos.y + gridPos.h - 1);
    out.push({ ...p, gridPos });
  }
  return out;
}

async function queryRange(expr, start, end, step) {
  const q = expr.replace(/\$__rate_interval|\$__interval|\$__range/g, RATE);
  const url = `${PROM}/api/v1/query_range?query=${encodeURIComponent(q)}&start=${start}&end=${end}&step=${step}`;
  const body = await (await fetch(url)).json();
  if (body.status !== 'success') throw new Error(`${q}: ${body.error}`);
  return body.data.result;
}

const legendOf = (format, metric) =>
  (format || '{{__name__}}').replace(/\{\{\s*(\w+)\s*\}\}/g, (_, k) => metric[k] ?? '').trim() || 'value';

function fmt(v, unit, decimals) {
  if (v === null || !Number.isFinite(v)) return '–';
  const d = (x, n = 2) => {
    const digits = decimals ?? (Math.abs(x) >= 100 ? 0 : Math.abs(x) >= 10 ? 1 : n);
    return Number(x.toFixed(digits)).toString();
  };
  switch (unit) {
    case 's':
      if (v === 0) return '0 s';
      if (Math.abs(v) < 1e-3) return `${d(v * 1e6)} µs`;
      if (Math.abs(v) < 1) return `${d(v * 1e3)} ms`;
      if (Math.abs(v) < 120) return `${d(v)} s`;
      return `${d(v / 60)} min`;
    case 'bytes': {
      const units = ['B', 'KiB', 'MiB', 'GiB'];
      let x = v;
      let i = 0;
      while (Math.abs(x) >= 1024 && i < units.length - 1) {
        x /= 1024;
        i++;
      }
      return `${d(x)} ${units[i]}`;
    }
    case 'percentunit':
      return `${d(v * 100, 1)}%`;
    case 'ops':
      return `${d(v)} ops/s`;
    case 'reqps':
      return `${d(v)} req/s`;
    default:
      return d(v);
  }
}

const esc = (s) =>
  String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

function niceMax(v) {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function timeseriesSvg(series, w, h, start, end, unit, decimals, stacked) {
  const left = 64;
  const right = 8;
  const top = 6;
  const bottom = 18;
  const pw = w - left - right;
  const ph = h - top - bottom;
  let drawn = series;
  if (stacked) {
    const acc = new Map();
    drawn = series.map((s) => ({
      ...s,
      points: s.points.map(([t, v]) => {
        const base = acc.get(t) ?? 0;
        const y = Number.isFinite(v) ? base + v : base;
        acc.set(t, y);
        return [t, Number.isFinite(v) ? y : NaN];
      }),
    }));
  }
  const values = drawn.flatMap((s) => s.points.map(([, v]) => v)).filter(Number.isFinite);
  const max = niceMax(Math.max(0, ...values) * 1.05);
  const x = (t) => left + ((t - start) / (end - start)) * pw;
  const y = (v) => top + ph - (v / max) * ph;
  let svg = `<svg width="${w}" height="${h}" xmlns="http://www.w3.org/2000/svg">`;
  for (let i = 0; i <= 4; i++) {
    const v = (max * i) / 4;
    svg += `<line x1="${left}" x2="${w - right}" y1="${y(v)}" y2="${y(v)}" stroke="#2c3235" stroke-width="1"/>`;
    svg += `<text x="${left - 6}" y="${y(v) + 4}" fill="#8e8e8e" font-size="11" text-anchor="end">${esc(fmt(v, unit, decimals))}</text>`;
  }
  const ticks = 5;
  for (let i = 0; i <= ticks; i++) {
    const t = start + ((end - start) * i) / ticks;
    const label = new Date(t * 1000).toISOString().slice(11, 16);
    const anchor = i === 0 ? 'start' : i === ticks ? 'end' : 'middle';
    svg += `<text x="${x(t)}" y="${h - 4}" fill="#8e8e8e" font-size="11" text-anchor="${anchor}">${label}</text>`;
  }
  drawn.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    let d = '';
    let pen = false;
    let first = null;
    let last = null;
    for (const [t, v] of s.points) {
      if (!Number.isFinite(v)) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${x(t).toFixed(1)},${y(v).toFixed(1)} `;
      pen = true;
      first ??= [t, v];
      last = [t, v];
    }
    if (!d) return;
    if (stacked || drawn.length <= 3) {
      // A light fill under the line, as Grafana draws it.
      svg += `<path d="${d} L${x(last[0]).toFixed(1)},${y(0)} L${x(first[0]).toFixed(1)},${y(0)} Z" fill="${color}" fill-opacity="${stacked ? 0.22 : 0.08}" stroke="none"/>`;
    }
    svg += `<path d="${d}" fill="none" stroke="${color}" stroke-width="1.6" stroke-linejoin="round"/>`;
  });
  return `${svg}</svg>`;
}

async function main() {
  const end = args.end ? Number(args.end) : Math.floor(Date.now() / 1000);
  const start = end - MINUTES * 60;
  const step = Math.max(2, Math.round((MINUTES * 60) / 240));
  const unitH = 30;
  const unitW = WIDTH / 24;
  const gap = 6;
  const panels = selectPanels();
  let html = '';
  let height = 0;
  for (const p of panels) {
    const { x, y, w, h } = p.gridPos;
    const box = {
      left: x * unitW + gap / 2,
      top: y * unitH + gap / 2,
      width: w * unitW - gap,
      height: h * unitH - gap,
    };
    height = Math.max(height, box.top + box.height + gap);
    if (p.type === 'row') {
      html += `<div class="row" style="left:${box.left}px;top:${box.top}px;width:${box.width}px">${esc(p.title)}</div>`;
      continue;
    }
    const unit = p.fieldConfig?.defaults?.unit;
    const decimals = p.fieldConfig?.defaults?.decimals;
    const series = [];
    for (const t of p.targets) {
      for (const r of await queryRange(t.expr, start, end, step)) {
        series.push({
          name: legendOf(t.legendFormat, r.metric),
          points: r.values.map(([ts, v]) => [ts, Number(v)]),
        });
      }
    }
    series.sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
    const inner = { width: box.width - 16, height: box.height - 34 };
    let body;
    if (p.type === 'stat') {
      const latest = series.map((s) => [...s.points].reverse().find(([, v]) => Number.isFinite(v))?.[1]);
      const value = latest.length ? latest.reduce((a, b) => (a ?? 0) + (b ?? 0), 0) : null;
      const spark = timeseriesSvg(
        series.slice(0, 1),
        inner.width,
        inner.height,
        start,
        end,
        unit,
        decimals,
        false,
      )
        .replace(/<text[^>]*>[^<]*<\/text>/g, '')
        .replace(/<line[^>]*\/>/g, '');
      body = `<div class="spark">${spark}</div><div class="stat">${esc(fmt(value, unit, decimals))}</div>`;
    } else {
      const legendH = Math.min(3, Math.ceil(series.length / 3)) * 15 + 4;
      const chart = timeseriesSvg(
        series,
        inner.width,
        inner.height - legendH,
        start,
        end,
        unit,
        decimals,
        Boolean(p.fieldConfig?.defaults?.custom?.stacking),
      );
      const shown = series.slice(0, 9);
      const legend = shown
        .map((s, i) => `<span><i style="background:${COLORS[i % COLORS.length]}"></i>${esc(s.name)}</span>`)
        .join('');
      const more = series.length > shown.length ? `<span>+${series.length - shown.length} more</span>` : '';
      body = series.length
        ? `${chart}<div class="legend" style="height:${legendH}px">${legend}${more}</div>`
        : '<div class="empty">No data</div>';
    }
    html += `<div class="panel" style="left:${box.left}px;top:${box.top}px;width:${box.width}px;height:${box.height}px"><div class="title">${esc(p.title)}</div><div class="body">${body}</div></div>`;
  }
  const header = `<div class="header"><b>${esc(dashboard.title)}</b> · last ${MINUTES} min · data from ${esc(PROM)} · drawn by deploy/grafana/preview/render.mjs from deploy/grafana/dashboards/argus.json</div>`;
  const doc = `<!doctype html><html><head><meta charset="utf-8"><style>
    body{margin:0;background:#111217;font-family:Inter,"DejaVu Sans",Helvetica,Arial,sans-serif;color:#ccccdc}
    .header{height:28px;line-height:28px;padding:0 10px;font-size:13px;color:#9fa7b3}
    .header b{color:#d8d9da;font-size:14px}
    .grid{position:relative;width:${WIDTH}px;height:${Math.ceil(height)}px}
    .panel{position:absolute;background:#181b1f;border:1px solid #24292e;border-radius:3px;box-sizing:border-box;overflow:hidden}
    .title{font-size:12.5px;font-weight:500;padding:6px 8px 4px;color:#d8d9da;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
    .body{position:absolute;left:8px;right:8px;top:28px;bottom:6px}
    .row{position:absolute;font-size:14px;font-weight:500;color:#d8d9da;line-height:24px}
    .legend{font-size:11px;color:#c7d0d9;overflow:hidden;line-height:15px}
    .legend span{margin-right:12px;white-space:nowrap;display:inline-block}
    .legend i{display:inline-block;width:12px;height:3px;margin-right:5px;vertical-align:middle;border-radius:2px}
    .stat{position:absolute;inset:0;display:flex;align-items:center;justify-content:center;font-size:34px;font-weight:500;color:#73BF69}
    .spark{position:absolute;inset:0;opacity:.35}
    .empty{color:#8e8e8e;font-size:13px;text-align:center;margin-top:40px}
  </style></head><body>${header}<div class="grid">${html}</div></body></html>`;

  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  try {
    const page = await browser.newPage({ viewport: { width: WIDTH, height: 800 }, deviceScaleFactor: 1 });
    await page.setContent(doc, { waitUntil: 'load' });
    fs.mkdirSync(path.dirname(OUT), { recursive: true });
    const png = await page.screenshot({ fullPage: true });
    // A 256-colour palette keeps the picture small enough for a README (flat panels, thin lines).
    const sharp = createRequire(path.join(here, '..', '..', '..', 'package.json'))('sharp');
    fs.writeFileSync(OUT, await sharp(png).png({ palette: true, colours: 256, effort: 10 }).toBuffer());
  } finally {
    await browser.close();
  }
  console.log(`wrote ${OUT} (${fs.statSync(OUT).size} bytes)`);
}

await main();
