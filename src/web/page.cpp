// The what-if page: one document, no external resources (ECharts from /echarts.min.js).
// It asks /api/layout for the sliders, figures and charts, then /api/eval for the
// figures under the current overrides; the overrides live in the URL (?set=PATH=VALUE).
#include "web/whatif.hpp"

namespace gpugap::web {
namespace {

constexpr std::string_view kPage = R"html(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>gpugap what-if</title>
<style>
body { font-family: system-ui, sans-serif; margin: 0; color: #1c2430; background: #f6f7f9; }
header { padding: 14px 22px; background: #1c2430; color: #fff; }
header h1 { margin: 0; font-size: 20px; }
header .meta { font-size: 13px; opacity: 0.8; margin-top: 4px; }
main { display: grid; grid-template-columns: 380px 1fr; gap: 18px; padding: 18px 22px; }
aside { background: #fff; border-radius: 6px; padding: 10px 14px; box-shadow: 0 1px 2px #0002; align-self: start; }
aside h2 { font-size: 13px; text-transform: uppercase; letter-spacing: 0.05em; color: #5a6472; margin: 14px 0 4px; }
.control { margin: 8px 0 12px; }
.control label { display: block; font-size: 13px; margin-bottom: 2px; }
.control .row { display: flex; gap: 8px; align-items: center; }
.control input[type=range] { flex: 1; }
.control input[type=text] { width: 92px; font: inherit; font-size: 13px; padding: 2px 4px; }
.control .unit { font-size: 12px; color: #5a6472; min-width: 44px; }
.control.changed label { font-weight: 600; color: #0b5cad; }
.actions { display: flex; gap: 8px; flex-wrap: wrap; margin: 10px 0; }
.actions a, .actions button { font: inherit; font-size: 13px; padding: 5px 10px; border-radius: 4px; border: 1px solid #0b5cad;
  background: #fff; color: #0b5cad; text-decoration: none; cursor: pointer; }
.actions a.primary { background: #0b5cad; color: #fff; }
#error { display: none; background: #fde8e8; color: #8a1010; border: 1px solid #e0a0a0; border-radius: 4px; padding: 8px 10px;
  font-family: ui-monospace, monospace; font-size: 13px; white-space: pre-wrap; margin-bottom: 12px; }
#cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(210px, 1fr)); gap: 12px; margin-bottom: 16px; }
.card { background: #fff; border-radius: 6px; padding: 10px 12px; box-shadow: 0 1px 2px #0002; }
.card .label { font-size: 12px; color: #5a6472; }
.card .value { font-size: 24px; font-weight: 600; margin-top: 4px; }
.stale .value { opacity: 0.4; }
#charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(440px, 1fr)); gap: 12px; }
.chartbox { background: #fff; border-radius: 6px; box-shadow: 0 1px 2px #0002; padding: 8px; }
.chart { height: 300px; }
#overrides { font-family: ui-monospace, monospace; font-size: 12px; color: #5a6472; word-break: break-all; }
</style>
</head>
<body>
<header><h1>gpugap what-if</h1><div class="meta" id="meta">loading&hellip;</div></header>
<main>
<aside>
<div class="actions">
<a id="permalink" href="/">Link to these assumptions</a>
<a id="download" class="primary" href="/api/report" download>Download the report (HTML)</a>
<button id="reset" type="button">Reset</button>
</div>
<div id="overrides"></div>
<div id="controls"></div>
</aside>
<section>
<div id="error" role="alert"></div>
<div id="cards"></div>
<div id="charts"></div>
<div id="status" data-state="loading" data-seq="0"></div>
</section>
</main>
<script src="/echarts.min.js"></script>
<script>
(function () {
  'use strict';
  var layout = null;
  var changed = {};      // path -> text as sent with --set
  var extra = [];        // overrides from the URL that no slider shows, kept as given
  var charts = {};
  var seq = 0;
  var timer = null;

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function sets() {
    var out = extra.slice();
    layout.controls.forEach(function (c) {
      if (Object.prototype.hasOwnProperty.call(changed, c.path)) out.push(c.path + '=' + changed[c.path]);
    });
    return out;
  }

  function query(list) {
    var q = new URLSearchParams();
    list.forEach(function (s) { q.append('set', s); });
    return q;
  }

  function fmt(v, kind) {
    // A year with no value is a break-even not reached within the modelled years.
    if ((v === null || v === undefined) && kind === 'year' && layout && layout.last_year) return 'not by ' + layout.last_year;
    if (v === null || v === undefined) return 'n/a';
    if (kind === 'share') return (100 * v).toFixed(1) + '%';
    if (kind === 'year') return String(Math.round(v));
    if (kind === 'ratio') return v.toFixed(2) + 'x';
    if (kind === 'count') return Math.round(v).toLocaleString('en-US');
    return v.toLocaleString('en-US', { maximumFractionDigits: 1 });
  }

  function metricsWanted() {
    var m = [];
    layout.cards.forEach(function (c) { m.push(c.metric); });
    layout.charts.forEach(function (ch) { ch.series.forEach(function (s) { m = m.concat(s.metrics); }); });
    return m.filter(function (x, i) { return m.indexOf(x) === i; });
  }

  function showLinks() {
    var list = sets();
    var q = query(list).toString();
    var link = document.getElementById('permalink');
    link.href = location.pathname + (q ? '?' + q : '');
    document.getElementById('download').href = '/api/report' + (q ? '?' + q : '');
    document.getElementById('overrides').textContent = list.length ? 'overrides: ' + list.join('  ') : 'no overrides';
    history.replaceState(null, '', link.href);
  }

  function setError(text) {
    var box = document.getElementById('error');
    box.textContent = text || '';
    box.style.display = text ? 'block' : 'none';
    document.getElementById('cards').classList.toggle('stale', !!text);
  }

  function render(metrics) {
    layout.cards.forEach(function (c) {
      var v = metrics[c.metric];
      var box = document.querySelector('.card[data-metric="' + c.metric + '"] .value');
      box.textContent = fmt(v, c.format);
      box.setAttribute('data-value', v === null ? '' : String(v));
    });
    layout.charts.forEach(function (ch) {
      var series = ch.series.map(function (s) {
        return { name: s.name, type: ch.type, data: s.metrics.map(function (m) { return metrics[m]; }) };
      });
      charts[ch.id].setOption({ series: series });
    });
  }

  function evaluate() {
    var my = ++seq;
    var status = document.getElementById('status');
    status.setAttribute('data-state', 'busy');
    var sent = sets();  // the overrides this answer is for (inputs may change before it arrives)
    var q = query(sent);
    metricsWanted().forEach(function (m) { q.append('metric', m); });
    fetch('/api/eval?' + q.toString()).then(function (r) { return r.json(); }).then(function (j) {
      if (my !== seq) return;
      if (j.error) {
        setError(j.error);
      } else {
        setError('');
        render(j.metrics);
      }
      status.setAttribute('data-state', j.error ? 'error' : 'ok');
      status.setAttribute('data-seq', String(my));
      status.setAttribute('data-overrides', JSON.stringify(sent));
    }).catch(function (e) {
      if (my !== seq) return;
      setError('gpugap serve: no answer from the server (' + e + ')');
      status.setAttribute('data-state', 'error');
      status.setAttribute('data-seq', String(my));
    });
  }

  function schedule() {
    showLinks();
    clearTimeout(timer);
    timer = setTimeout(evaluate, 120);
  }

  function build() {
    var meta = 'Scenario ' + layout.scenario + (layout.scenario_name && layout.scenario_name !== layout.scenario ? ' (' +
      layout.scenario_name + ')' : '') + (layout.base_overrides.length ? ' \u00b7 command-line overrides: ' +
      layout.base_overrides.join('  ') : '') + ' \u00b7 every figure computed by gpugap in-process';
    document.getElementById('meta').textContent = meta;
    var box = document.getElementById('controls');
    var group = null;
    layout.controls.forEach(function (c) {
      if (c.group !== group) { group = c.group; box.appendChild(el('h2', {}, group)); }
      var div = el('div', { 'class': 'control', 'data-path': c.path });
      var id = 'c-' + c.path.replace(/[^a-z0-9]/gi, '-');
      div.appendChild(el('label', { 'for': id, title: c.path }, c.label));
      var row = el('div', { 'class': 'row' });
      var range = el('input', { type: 'range', id: id, min: String(c.lo), max: String(c.hi), step: String(c.step),
                                'data-path': c.path });
      var text = el('input', { type: 'text', 'data-path': c.path, 'aria-label': c.label + ' (value)' });
      var base = c.value === null ? '' : String(c.value);
      range.value = base;
      text.value = base;
      row.appendChild(range);
      row.appendChild(text);
      row.appendChild(el('span', { 'class': 'unit' }, c.unit));
      div.appendChild(row);
      box.appendChild(div);
      function take(v) {
        changed[c.path] = c.unit ? v + ' ' + c.unit : v;
        div.classList.add('changed');
        schedule();
      }
      range.addEventListener('input', function () { text.value = range.value; take(range.value); });
      text.addEventListener('change', function () {
        var v = text.value.trim();
        if (v !== '' && !isNaN(Number(v))) range.value = v;
        take(v);
      });
      c.range = range; c.text = text; c.div = div; c.base = base;
    });
    var cards = document.getElementById('cards');
    layout.cards.forEach(function (c) {
      var card = el('div', { 'class': 'card', 'data-metric': c.metric, title: c.metric });
      card.appendChild(el('div', { 'class': 'label' }, c.label));
      card.appendChild(el('div', { 'class': 'value' }, '\u2026'));
      cards.appendChild(card);
    });
    var chartsBox = document.getElementById('charts');
    layout.charts.forEach(function (ch) {
      var wrap = el('div', { 'class': 'chartbox' });
      var div = el('div', { 'class': 'chart', id: 'chart-' + ch.id });
      wrap.appendChild(div);
      chartsBox.appendChild(wrap);
      var chart = echarts.init(div);
      chart.setOption({
        title: { text: ch.title, textStyle: { fontSize: 13 } }, tooltip: { trigger: 'axis' },
        legend: { top: 24 }, grid: { top: 60, left: 70, right: 20, bottom: 30 },
        xAxis: { type: 'category', data: ch.x.map(String), axisLabel: { interval: 0, rotate: ch.id === 'score' ? 30 : 0 } },
        yAxis: { type: 'value', scale: ch.type === 'line' }, series: []
      });
      charts[ch.id] = chart;
    });
    window.addEventListener('resize', function () { Object.keys(charts).forEach(function (k) { charts[k].resize(); }); });
    document.getElementById('reset').addEventListener('click', function () {
      changed = {};
      extra = [];
      layout.controls.forEach(function (c) { c.range.value = c.base; c.text.value = c.base; c.div.classList.remove('changed'); });
      schedule();
    });
  }

  // Overrides in the URL (?set=PATH=VALUE, as the link gives): onto their sliders, the rest kept as given.
  function fromUrl() {
    new URLSearchParams(location.search).getAll('set').forEach(function (s) {
      var eq = s.indexOf('=');
      var path = eq < 0 ? s : s.slice(0, eq);
      var value = eq < 0 ? '' : s.slice(eq + 1);
      var c = layout.controls.find(function (x) { return x.path === path; });
      if (!c) { extra.push(s); return; }
      var num = c.unit && value.endsWith(' ' + c.unit) ? value.slice(0, -c.unit.length - 1) : value;
      changed[path] = value;
      c.text.value = num;
      if (num !== '' && !isNaN(Number(num))) c.range.value = num;
      c.div.classList.add('changed');
    });
  }

  fetch('/api/layout').then(function (r) { return r.json(); }).then(function (j) {
    if (j.error) { setError(j.error); return; }
    layout = j;
    build();
    fromUrl();
    showLinks();
    evaluate();
  }).catch(function (e) { setError('gpugap serve: no answer from the server (' + e + ')'); });
})();
</script>
</body>
</html>
)html";

}  // namespace

std::string_view page_html() { return kPage; }

}  // namespace gpugap::web
