// The dashboard: every number is a POST /api/v2/query answer, fetched again after each commit the service announces
// on /api/v2/stream (Server-Sent Events). Nothing here polls: a timer only redraws the lag from the last commit, or from
// the last watermark move the stream announced between commits (an idle site's checkpoints).
'use strict';
(() => {
  const siteId = document.querySelector('meta[name="pageviews-site-id"]').content;
  const $ = (id) => document.getElementById(id);
  const TOKEN_KEY = 'pageviews-api-token';
  // Visitors are counted per local day: ranges of whole days have them, rolling minutes and hours do not.
  const PART_OF_A_DAY = new Set(['realtime', '30m', '24h']);
  const COLORS = ['#4f46e5', '#059669', '#d97706', '#dc2626', '#0891b2', '#7c3aed'];
  const state = {
    token: null,
    stream: null,
    commit: null,      // the newest commit the stream announced: {seq, watermark_ms, committed_at_ms}
    loadedSeq: null,   // the commit the numbers on screen reflect
    loading: false,
    pause: 1000,       // before opening a stream the browser gave up on again
    again: false,
    charts: {},
    streamLog: [],     // the stream's last state changes, for a look from the console: pageviewsDashboard.streamLog
  };
  window.pageviewsDashboard = state;

  function logStream(what, stream) {
    state.streamLog.push(new Date().toISOString().slice(11, 23) + ' ' + what + ' readyState=' + stream.readyState);
    state.streamLog.splice(0, state.streamLog.length - 20);
  }

  class Unauthorized extends Error {}

  // --- the API ---------------------------------------------------------------------------------------------------

  async function query(body, attempt = 1) {
    const headers = {'Content-Type': 'application/json'};
    if (state.token) {
      headers.Authorization = 'Bearer ' + state.token;
    }
    const response = await fetch('/api/v2/query', {
      method: 'POST', headers, cache: 'no-store', body: JSON.stringify(Object.assign({site_id: siteId}, body)),
    });
    if (response.status === 503 && attempt < 4) {
      // busy (--max-concurrent-queries) or Redis did not answer: this answer again, after Retry-After, up to 3 times
      const seconds = Number(response.headers.get('Retry-After')) || 1;
      // spread out, so the answers a burst was refused do not all come back together
      await new Promise((resolve) => setTimeout(resolve, 1000 * seconds * attempt * (0.5 + Math.random())));
      return query(body, attempt + 1);
    }
    if (response.status === 401) {
      throw new Unauthorized('the API token is missing or wrong');
    }
    const answer = await response.json().catch(() => ({error: response.statusText}));
    if (!response.ok) {
      throw new Error(answer.error || ('HTTP ' + response.status));
    }
    return answer;
  }

  /** An answer, or {error} when this data cannot answer it (a 401 still stops the whole load). */
  function soft(promise) {
    return promise.then((answer) => ({answer}), (e) => {
      if (e instanceof Unauthorized) {
        throw e;
      }
      return {error: e.message};
    });
  }

  function dateRange() {
    const value = $('range').value;
    if (value !== 'custom') {
      return value;
    }
    const from = $('from').value;
    const to = $('to').value;
    return from && to ? [from, to] : null;
  }

  function granularity(value) {
    if (value === 'realtime' || value === '30m') {
      return 'minute';
    }
    return value === 'day' || value === '24h' ? 'hour' : 'day';
  }

  // --- loading, once per commit ------------------------------------------------------------------------------------

  /** Loads everything; while a load runs, further calls make it run once more after it, never in parallel. */
  async function refresh() {
    if (state.loading) {
      state.again = true;
      return;
    }
    state.loading = true;
    try {
      do {
        state.again = false;
        await load();
      } while (state.again);
      showError(null);
    } catch (e) {
      if (e instanceof Unauthorized) {
        askForToken();
      } else {
        showError(e.message);
      }
    } finally {
      state.loading = false;
    }
  }

  async function load() {
    const range = dateRange();
    if (range === null) {
      return;
    }
    const value = $('range').value;
    const wholeDays = !PART_OF_A_DAY.has(value);
    const time = 'time:' + granularity(value);
    const [views, visitors, series, top, realtime, realtimePages] = await Promise.all([
      query({metrics: ['pageviews'], date_range: range}),
      wholeDays ? soft(query({metrics: ['visitors'], date_range: range})) : Promise.resolve(null),
      query({metrics: ['pageviews'], date_range: range, dimensions: [time], include: {time_labels: true}}),
      wholeDays
        ? query({metrics: ['pageviews', 'visitors'], date_range: range, dimensions: ['event:page'], pagination: {limit: 10}})
            .catch((e) => {
              if (e instanceof Unauthorized) {
                throw e;
              }
              return query({metrics: ['pageviews'], date_range: range, dimensions: ['event:page'], pagination: {limit: 10}});
            })
        : query({metrics: ['pageviews'], date_range: range, dimensions: ['event:page'], pagination: {limit: 10}}),
      query({metrics: ['pageviews'], date_range: 'realtime', dimensions: ['time:minute'], include: {time_labels: true}}),
      query({metrics: ['pageviews'], date_range: 'realtime', dimensions: ['event:page'], pagination: {limit: 5}}),
    ]);
    const pages = top.results.map((row) => row.dimensions[0]).filter((page) => page !== '(other)').slice(0, 5);
    const perPage = pages.length === 0 ? null : await query({
      metrics: ['pageviews'], date_range: range, dimensions: [time, 'event:page'],
      filters: [['is', 'event:page', pages]], include: {time_labels: true},
    });

    $('pageviews').textContent = number(views.results[0].metrics[0]);
    $('range-label').textContent = rangeLabel(views.query.date_range);
    showVisitors(visitors, wholeDays);
    $('granularity').textContent = 'per ' + granularity(value);
    showSeries(series);
    showPagesChart(perPage, pages, series.meta.time_labels, series.meta.time_zone);
    showTopPages(top);
    showRealtime(realtime, realtimePages);
    state.loadedSeq = views.meta.seq;
    if (!state.commit || state.commit.seq < views.meta.seq) {
      state.commit = {
        seq: views.meta.seq,
        watermark_ms: views.meta.watermark ? Date.parse(views.meta.watermark) : null,
        committed_at_ms: views.meta.committed_at ? Date.parse(views.meta.committed_at) : null,
      };
    }
    showFreshness();
  }

  // --- drawing -----------------------------------------------------------------------------------------------------

  function number(n) {
    return n === null || n === undefined ? '–' : n.toLocaleString('en-US');
  }

  function rangeLabel(resolved) {
    if (!Array.isArray(resolved)) {
      return '';
    }
    return resolved[0].slice(0, 16).replace('T', ' ') + ' – ' + resolved[1].slice(0, 16).replace('T', ' ');
  }

  function showVisitors(visitors, wholeDays) {
    if (!wholeDays) {
      $('visitors').textContent = '–';
      $('visitors-note').textContent = 'counted per day: pick a range of whole days';
    } else if (visitors.error) {
      $('visitors').textContent = '–';
      $('visitors-note').textContent = visitors.error;
    } else {
      const answer = visitors.answer;
      $('visitors').textContent = number(answer.results[0].metrics[0]);
      const estimated = (answer.meta.estimated_metrics || []).includes('visitors');
      let note = estimated
        ? 'estimate, standard error ' + (100 * answer.meta.standard_error.visitors).toFixed(2) + ' %'
        : 'exact';
      if (answer.meta.metric_warnings && answer.meta.metric_warnings.visitors) {
        note += ' (' + (answer.meta.metric_warnings.visitors.warning || answer.meta.metric_warnings.visitors.code) + ')';
      }
      $('visitors-note').textContent = note;
    }
  }

  /** The values of rows [label, ...] in the order of the labels; a repeated label (DST) takes its rows in turn. */
  function valuesByLabel(labels, rows, labelOf, valueOf) {
    const queues = new Map();
    for (const row of rows) {
      const label = labelOf(row);
      if (!queues.has(label)) {
        queues.set(label, []);
      }
      queues.get(label).push(valueOf(row));
    }
    return labels.map((label) => {
      const queue = queues.get(label);
      return queue && queue.length ? queue.shift() : 0;
    });
  }

  /** Now as a label of the reporting time zone ("2026-12-07 14:05:09"): labels compare with it as text. */
  function nowLabel(zone) {
    const parts = {};
    new Intl.DateTimeFormat('en-CA', {
      timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
    }).formatToParts(new Date()).forEach((p) => { parts[p.type] = p.value; });
    return parts.year + '-' + parts.month + '-' + parts.day + ' ' + parts.hour + ':' + parts.minute + ':' + parts.second;
  }

  /** Buckets that have not begun yet are gaps in a chart, not zeros. */
  function withFuture(labels, values, zone) {
    if (!zone) {
      return values;
    }
    const now = nowLabel(zone);
    return values.map((v, i) => (labels[i] > now.slice(0, labels[i].length) ? null : v));
  }

  function shortLabel(label) {
    if (label === undefined) {
      return '';
    }
    return label.length > 10 ? label.slice(11, 16) : label.slice(5);
  }

  function showSeries(series) {
    const labels = series.meta.time_labels;
    const values = valuesByLabel(labels, series.results, (row) => row.dimensions[0], (row) => row.metrics[0]);
    chart('total', $('total-chart'), labels, [{label: 'pageviews', values: withFuture(labels, values, series.meta.time_zone)}]);
    const body = $('total-table').tBodies[0];
    body.replaceChildren(...labels.map((label, i) => tableRow([label, number(values[i])], {label})));
  }

  function showPagesChart(perPage, pages, labels, zone) {
    if (!perPage) {
      chart('pages', $('pages-chart'), labels, [{label: '(no pages)', values: labels.map(() => 0)}]);
      return;
    }
    const series = pages.map((page) => ({
      label: page,
      values: withFuture(labels, valuesByLabel(labels, perPage.results.filter((row) => row.dimensions[1] === page),
        (row) => row.dimensions[0], (row) => row.metrics[0]), zone),
    }));
    chart('pages', $('pages-chart'), labels, series);
  }

  /** A uPlot line chart over the bucket labels (an ordinal x axis: the labels are local times of the report's zone). */
  function chart(key, element, labels, series) {
    const data = [labels.map((_, i) => i), ...series.map((s) => s.values)];
    const shape = series.map((s) => s.label).join('\n');
    const existing = state.charts[key];
    if (existing && existing.shape === shape) {
      existing.labels = labels;
      existing.plot.setData(data);
      return;
    }
    if (existing) {
      existing.plot.destroy();
    }
    const holder = {shape, labels};
    const options = {
      width: Math.max(320, element.clientWidth),
      height: 240,
      scales: {x: {time: false}, y: {range: (u, min, max) => [0, max > 0 ? Math.ceil(max * 1.1) : 1]}}, // counts start at 0
      legend: {live: true},
      cursor: {drag: {x: false, y: false}},
      series: [
        {label: 'time', value: (u, i) => (i === null || i === undefined ? '' : holder.labels[i] || '')},
        ...series.map((s, k) => ({
          label: s.label,
          stroke: COLORS[k % COLORS.length],
          width: 2,
          fill: series.length === 1 ? 'rgba(79, 70, 229, 0.08)' : undefined,
          points: {show: labels.length <= 60},
        })),
      ],
      axes: [
        {values: (u, splits) => splits.map((v) => (Number.isInteger(v) ? shortLabel(holder.labels[v]) : ''))},
        {size: 60},
      ],
    };
    element.replaceChildren();
    holder.plot = new uPlot(options, data, element);
    state.charts[key] = holder;
  }

  function tableRow(cells, data) {
    const tr = document.createElement('tr');
    Object.entries(data || {}).forEach(([k, v]) => { tr.dataset[k] = v; });
    cells.forEach((cell, i) => {
      const td = document.createElement('td');
      if (cell instanceof Node) {
        td.appendChild(cell);
      } else {
        td.textContent = cell;
      }
      if (i === 0 && data && data.page !== undefined) {
        td.className = 'page';
      }
      tr.appendChild(td);
    });
    return tr;
  }

  function showTopPages(top) {
    const hasVisitors = top.query.metrics.includes('visitors');
    $('top-pages').tBodies[0].replaceChildren(...top.results.map((row) => tableRow(
      [row.dimensions[0], number(row.metrics[0]), hasVisitors ? number(row.metrics[1]) : '–'], {page: row.dimensions[0]})));
  }

  function showRealtime(realtime, realtimePages) {
    const labels = realtime.meta.time_labels;
    const values = valuesByLabel(labels, realtime.results, (row) => row.dimensions[0], (row) => row.metrics[0]);
    $('realtime-total').textContent = number(values.reduce((a, b) => a + b, 0));
    const most = Math.max(1, ...values);
    $('realtime-minutes').tBodies[0].replaceChildren(...labels.map((label, i) => {
      const bar = document.createElement('div');
      bar.className = 'bar';
      bar.style.width = (100 * values[i] / most) + '%';
      const row = tableRow([shortLabel(label), bar, number(values[i])], {label});
      row.children[1].className = 'track';
      return row;
    }));
    $('realtime-pages').tBodies[0].replaceChildren(...realtimePages.results.map((row) =>
      tableRow([row.dimensions[0], number(row.metrics[0])], {page: row.dimensions[0]})));
  }

  function ago(ms) {
    if (ms === null || ms === undefined) {
      return '–';
    }
    const seconds = Math.max(0, (Date.now() - ms) / 1000);
    return seconds < 120 ? seconds.toFixed(1) + ' s' : Math.round(seconds / 60) + ' min';
  }

  function showFreshness() {
    const commit = state.commit;
    $('seq').textContent = commit ? commit.seq : '–';
    $('lag').textContent = commit ? ago(commit.watermark_ms) : '–';
    $('committed').textContent = commit && commit.committed_at_ms ? ago(commit.committed_at_ms) + ' ago' : '–';
  }

  function showError(message) {
    $('error').hidden = !message;
    $('error').textContent = message || '';
  }

  // --- the token ---------------------------------------------------------------------------------------------------

  function readToken() {
    const match = location.hash.match(/(?:^#|&)token=([^&]*)/);
    if (match) {
      sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(match[1]));
      history.replaceState(null, '', location.pathname + location.search); // not left in the address bar
    }
    state.token = sessionStorage.getItem(TOKEN_KEY);
  }

  function askForToken() {
    $('token-panel').hidden = false;
    $('token').focus();
  }

  $('token-form').addEventListener('submit', (event) => {
    event.preventDefault();
    state.token = $('token').value.trim();
    sessionStorage.setItem(TOKEN_KEY, state.token);
    $('token-panel').hidden = true;
    connect();
    refresh();
  });

  // --- the stream --------------------------------------------------------------------------------------------------

  /**
   * One EventSource: it reconnects by itself and sends the last id it saw as Last-Event-ID, and the service answers a
   * reconnect that missed commits with the newest at once. EventSource cannot send headers: the token goes as
   * access_token. A stream the browser gave up on (a 401, a 503 when the service has too many, a transfer cut off) is
   * opened again, after 1 s, then longer.
   */
  function connect() {
    if (state.stream) {
      state.stream.close();
    }
    const url = '/api/v2/stream' + (state.token ? '?access_token=' + encodeURIComponent(state.token) : '');
    const stream = new EventSource(url);
    logStream('open', stream);
    stream.onopen = () => {
      logStream('onopen', stream);
      state.pause = 1000;
      live(true);
    };
    stream.onmessage = (event) => {
      logStream('message ' + event.lastEventId, stream);
      follow(JSON.parse(event.data));
    };
    // a checkpoint without views moved the job's watermark: the lag is current again, the numbers stay as they are
    stream.addEventListener('watermark', (event) => {
      const commit = JSON.parse(event.data);
      if (!state.commit || commit.seq >= state.commit.seq) { // else a newer commit is on screen, its event on its way
        follow(commit);
      }
    });
    stream.onerror = () => {
      logStream('onerror', stream);
      live(false);
      if (stream.readyState === EventSource.CLOSED && state.stream === stream) {
        // the browser gave up (a 401 or 503, or a stream cut off mid-transfer): open it again, waiting longer each time
        refresh(); // a 401 shows the token form
        setTimeout(() => { if (state.stream === stream) { connect(); } }, state.pause);
        state.pause = Math.min(30000, state.pause * 2);
      }
    };
    state.stream = stream;
  }

  function follow(commit) {
    state.commit = commit;
    showFreshness();
    if (commit.seq !== state.loadedSeq) {
      refresh();
    }
  }

  function live(on) {
    $('live').className = 'live ' + (on ? 'on' : 'off');
    $('live').textContent = on ? 'live' : 'reconnecting';
  }

  // --- start -------------------------------------------------------------------------------------------------------

  $('site').textContent = siteId;
  $('range').addEventListener('change', () => {
    $('custom').hidden = $('range').value !== 'custom';
    refresh();
  });
  $('from').addEventListener('change', refresh);
  $('to').addEventListener('change', refresh);
  window.addEventListener('resize', () => {
    Object.values(state.charts).forEach((c) => {
      const element = c.plot.root.parentElement;
      c.plot.setSize({width: Math.max(320, element.clientWidth), height: 240});
    });
  });
  setInterval(showFreshness, 1000); // the lag grows between commits: redrawn locally, nothing is fetched
  readToken();
  connect();
  refresh();
})();
