// The benchmark chart as an SVG (run.mjs screenshots it in Chromium into a PNG):
//   left: for every browser case, how many times faster ours is than each alternative
//         (log scale, 1× in the middle: green = ours faster, red = ours slower)
//   right: the issue's targets, met or not, and the .wasm sizes against the 200 KB budget.
import { BROTLI_TARGET, byCase, targets } from './report.mjs';
import { isValidRow } from './timing.mjs';

const COLORS = {
  WebCrypto: '#1f77b4', SDK: '#ff7f0e', '@noble/post-quantum': '#9467bd',
  'ours (simd128)': '#7f7f7f', 'ours (opt-level 3)': '#bcbd22', 'ours (cpubits 64)': '#17becf', 'ours (cpubits 32 everywhere)': '#9edae5',
};
const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;');

export function renderChart(data) {
  const cases = byCase(data).filter((c) => c.rows.some((r) => r.impl === 'ours') && c.rows.length > 1);
  const rows = [];
  for (const c of cases) {
    const ours = c.rows.find((r) => r.impl === 'ours');
    // Failed rows (benches/timing.mjs) get no bar: a ratio is never built on them.
    const peers = isValidRow(ours) ? c.rows.filter((r) => r.impl !== 'ours' && !r.impl.includes('native') && !r.impl.includes('Node') && isValidRow(r)) : [];
    if (peers.length === 0) continue;
    rows.push({ head: c.name });
    for (const p of peers) rows.push({ impl: p.impl, ratio: p.medianMs / ours.medianMs, lo: p.p25Ms / ours.p75Ms, hi: p.p75Ms / ours.p25Ms });
  }
  const W = 1720;
  const rowH = 15;
  const headH = 17;
  const top = 70;
  const left = 330;
  const plotW = 560;
  const ratios = rows.filter((r) => r.ratio).map((r) => r.ratio);
  const lo = Math.min(0.1, ...ratios.map((r) => r / 3));
  const hi = Math.max(10, ...ratios.map((r) => r * 1.5));
  const [l0, l1] = [Math.log10(lo), Math.log10(hi)];
  const x = (r) => left + ((Math.log10(r) - l0) / (l1 - l0)) * plotW;
  let y = top;
  const parts = [];
  for (const r of rows) {
    if (r.head) {
      y += 4;
      parts.push(`<text x="16" y="${y + 12}" font-weight="600" font-size="12">${esc(r.head)}</text>`);
      y += headH;
      continue;
    }
    const x0 = x(1);
    const x1 = x(r.ratio);
    const color = COLORS[r.impl] ?? (r.impl.startsWith('ours, async') ? '#17becf' : '#8c564b');
    parts.push(`<rect x="${Math.min(x0, x1)}" y="${y + 2}" width="${Math.max(1, Math.abs(x1 - x0))}" height="${rowH - 4}" fill="${color}" opacity="0.85"/>`);
    parts.push(`<line x1="${x(r.lo)}" x2="${x(r.hi)}" y1="${y + rowH / 2}" y2="${y + rowH / 2}" stroke="#000" stroke-width="1" opacity="0.5"/>`);
    parts.push(`<rect x="${Math.min(x0, x1) - 1}" y="${y + 2}" width="2" height="${rowH - 4}" fill="${r.ratio >= 1 ? '#2ca02c' : '#d62728'}"/>`);
    parts.push(`<text x="${left - 8}" y="${y + 11}" text-anchor="end" font-size="11" fill="#444">vs ${esc(r.impl)}</text>`);
    const label = r.ratio >= 10 ? r.ratio.toFixed(0) : r.ratio.toFixed(2);
    parts.push(`<text x="${r.ratio >= 1 ? x1 + 4 : x1 - 4}" y="${y + 11}" text-anchor="${r.ratio >= 1 ? 'start' : 'end'}" font-size="11" font-weight="600" fill="${r.ratio >= 1 ? '#1a7a1a' : '#b01c1c'}">${label}×</text>`);
    y += rowH;
  }
  const plotBottom = y + 6;
  const ticks = [0.01, 0.03, 0.1, 0.3, 1, 3, 10, 30, 100, 300, 1000].filter((t) => t >= lo && t <= hi);
  const grid = ticks.map((t) => `<line x1="${x(t)}" x2="${x(t)}" y1="${top - 6}" y2="${plotBottom}" stroke="${t === 1 ? '#000' : '#ddd'}" stroke-width="${t === 1 ? 1.5 : 1}"/><text x="${x(t)}" y="${top - 10}" text-anchor="middle" font-size="11" fill="#555">${t}×</text>`);

  // Right column: targets, then sizes.
  const rx = left + plotW + 60;
  const rw = W - rx - 20;
  const t = targets(data);
  const right = [`<text x="${rx}" y="${top - 30}" font-size="15" font-weight="600">Issue #8 targets</text>`];
  let ry = top - 10;
  for (const g of t) {
    const sym = g.met === true ? '✔' : g.met === false ? '✘' : '–';
    const col = g.met === true ? '#1a7a1a' : g.met === false ? '#b01c1c' : '#888';
    right.push(`<text x="${rx}" y="${ry + 12}" font-size="14" font-weight="700" fill="${col}">${sym}</text>`);
    right.push(`<text x="${rx + 18}" y="${ry + 12}" font-size="12" textLength="${Math.min(rw - 20, g.target.length * 6.6)}" lengthAdjust="spacingAndGlyphs">${esc(g.target)}</text>`);
    const detail = `${g.measured}${g.gap ? ` · ${g.gap}` : ''}`;
    right.push(`<text x="${rx + 18}" y="${ry + 27}" font-size="11" fill="#555" textLength="${Math.min(rw - 20, detail.length * 5.9)}" lengthAdjust="spacingAndGlyphs">${esc(detail)}</text>`);
    ry += 38;
  }
  ry += 20;
  right.push(`<text x="${rx}" y="${ry}" font-size="15" font-weight="600">.wasm size (KB)</text>`);
  ry += 12;
  const s = data.size;
  const bars = [['shipped, raw', s.wasm.raw], ['shipped, gzip -9', s.wasm.gzip], ['shipped, brotli -11', s.wasm.brotli]];
  for (const [n, v] of Object.entries(s.variants)) bars.push([`${n} build, brotli`, v.brotli]);
  bars.push(['JS around it, brotli', s.js.brotli]);
  const max = Math.max(...bars.map((b) => b[1]), BROTLI_TARGET);
  const bx = rx + 150;
  const bw = rw - 210;
  for (const [n, v] of bars) {
    right.push(`<text x="${bx - 8}" y="${ry + 13}" text-anchor="end" font-size="11">${esc(n)}</text>`);
    right.push(`<rect x="${bx}" y="${ry + 3}" width="${(v / max) * bw}" height="13" fill="${n.includes('brotli') && n.startsWith('shipped') ? (v <= BROTLI_TARGET ? '#2ca02c' : '#d62728') : '#999'}"/>`);
    right.push(`<text x="${bx + (v / max) * bw + 4}" y="${ry + 14}" font-size="11">${(v / 1000).toFixed(0)}</text>`);
    ry += 18;
  }
  const tx = bx + (BROTLI_TARGET / max) * bw;
  right.push(`<line x1="${tx}" x2="${tx}" y1="${ry - bars.length * 18}" y2="${ry + 4}" stroke="#000" stroke-dasharray="4 3"/><text x="${tx}" y="${ry + 16}" text-anchor="middle" font-size="11">200 KB brotli target</text>`);
  ry += 30;

  const H = Math.max(plotBottom + 40, ry + 20);
  const m = data.machine;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="DejaVu Sans, Arial, sans-serif">
<rect width="${W}" height="${H}" fill="#fff"/>
<text x="20" y="24" font-size="17" font-weight="700">streamr-e2ee in headless Chromium: how many times faster ours is (log scale; right of 1× = ours faster)</text>
<text x="20" y="42" font-size="11" fill="#555">"ours" = the shipped build's synchronous call. Rows "vs ours (…)" are our other builds and the async AES API: left of 1× means that one is faster.</text>
<text x="20" y="${H - 12}" font-size="11" fill="#555">${esc(`${data.quick ? 'QUICK RUN (not meaningful) · ' : ''}${m.cpu}, ${m.nproc} cores, Chromium ${m.chromium}, load ${m.loadStart.map((v) => v.toFixed(1)).join('/')} · ${m.date.slice(0, 16)}Z · commit ${m.commit} · bars: median ratio; whiskers: interquartile · ${data.command}`)}</text>
${grid.join('\n')}
${parts.join('\n')}
${right.join('\n')}
</svg>`;
}
