// The mock-okta dashboard: reads the control plane's JSON with the API token, every second.
// No framework, no build step, nothing fetched from elsewhere. Data is written with
// textContent only, never as HTML.
"use strict";

const REFRESH_MS = 1000;
const KEEP_FAILED = 20;
const KEEP_JOURNAL = 25;
const SLOTS = 60; // the newest intervals the chart shows (the overview's series length)
const TOKEN_KEY = "mockOktaToken";

const state = { token: sessionStorage.getItem(TOKEN_KEY), timer: null, failedAfter: null,
  failed: [], journalAfter: null, journal: [], filters: {} };

const $ = (selector) => document.querySelector(selector);

class Unauthorized extends Error {}

async function getJson(path) {
  const response = await fetch(path, { headers: { Authorization: `SSWS ${state.token}` } });
  if (response.status === 401) throw new Unauthorized("the token was refused");
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return response.json();
}

function cell(row, text, className) {
  const td = document.createElement("td");
  td.textContent = text === null || text === undefined ? "" : String(text);
  if (className) td.className = className;
  row.appendChild(td);
  return td;
}

function fill(tbody, rows, render) {
  const fresh = document.createElement("tbody");
  for (const item of rows) {
    const tr = document.createElement("tr");
    render(tr, item);
    fresh.appendChild(tr);
  }
  tbody.replaceWith(fresh);
  return fresh;
}

function duration(seconds) {
  if (!seconds) return "–";
  const h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = Math.round(seconds % 60);
  return h ? `${h} h ${m} min` : m ? `${m} min ${s} s` : `${s} s`;
}

function clock(epochSeconds) {
  return new Date(epochSeconds * 1000).toISOString().slice(11, 19);
}

function showOverview(o) {
  $("#users-total").textContent = o.users.total.toLocaleString("en");
  $("#groups-total").textContent = o.groups.toLocaleString("en");
  $("#apps-total").textContent = o.apps.total.toLocaleString("en");
  $("#events-total").textContent = o.systemLogEvents.toLocaleString("en");
  const statuses = Object.entries(o.users.byStatus).sort((a, b) => b[1] - a[1]);
  fill($("#users-by-status tbody"), statuses, (tr, [status, n]) => {
    cell(tr, status);
    cell(tr, n.toLocaleString("en"));
  });
  const series = o.created.series;
  const svg = $("#created-chart");
  svg.replaceChildren();
  const peak = Math.max(1, ...series.map((p) => p.created));
  const width = 600 / SLOTS;
  const offset = SLOTS - series.length; // newest at the right edge
  series.forEach((point, i) => {
    const rect = document.createElementNS("http://www.w3.org/2000/svg", "rect");
    const height = (point.created / peak) * 116;
    rect.setAttribute("x", String((offset + i) * width + 1));
    rect.setAttribute("y", String(120 - height));
    rect.setAttribute("width", String(Math.max(width - 2, 1)));
    rect.setAttribute("height", String(height));
    const title = document.createElementNS("http://www.w3.org/2000/svg", "title");
    title.textContent = `${point.created} users`;
    rect.appendChild(title);
    svg.appendChild(rect);
  });
  const last = series.length ? series[series.length - 1].created : 0;
  $("#created-caption").textContent =
    `per ${o.created.bucketMs / 1000} s of the org's clock; latest ${last}, peak ${series.length ? peak : 0}`;
  if (state.journalAfter === null) state.journalAfter = Math.max(0, o.journalSeq - KEEP_JOURNAL);
}

function showStats(stats) {
  const buckets = Object.entries(stats.buckets);
  let projected = 0;
  fill($("#buckets tbody"), buckets, (tr, [name, b]) => {
    cell(tr, name);
    cell(tr, b.requests.toLocaleString("en"));
    cell(tr, b.rateLimited.toLocaleString("en"), b.rateLimited ? "limited" : "");
    cell(tr, b.limitPerMinute);
    const td = cell(tr, "");
    // Requests a minute over the time observed, a short burst counted as one minute.
    const perMinute = (b.requests / Math.max(b.observedSeconds, 60)) * 60;
    const share = b.limitPerMinute ? Math.min(1, perMinute / b.limitPerMinute) : 0;
    const bar = document.createElement("div");
    bar.className = share >= 1 ? "bar full" : "bar";
    bar.title = `${Math.round(perMinute)} requests a minute of ${b.limitPerMinute}`;
    const inner = document.createElement("span");
    inner.style.width = `${Math.round(share * 100)}%`;
    bar.appendChild(inner);
    td.appendChild(bar);
    const rate = document.createElement("small");
    rate.textContent = `${Math.round(perMinute).toLocaleString("en")}/min`;
    td.appendChild(rate);
    cell(tr, duration(b.projectedOktaSeconds));
    projected = Math.max(projected, b.projectedOktaSeconds);
  });
  $("#projected").textContent = duration(projected);
}

async function readFailed() {
  const after = state.failedAfter ?? 0;
  const page = await getJson(`/_mock/requests?path=/api/v1/authn&status=401&limit=1000&after=${after}`);
  for (const entry of page.entries) {
    state.failed.push(entry);
    state.failedAfter = entry.seq;
  }
  state.failed = state.failed.slice(-KEEP_FAILED);
  const newest = [...state.failed].reverse();
  fill($("#failed tbody"), newest, (tr, e) => {
    cell(tr, clock(e.epoch));
    cell(tr, e.login);
    cell(tr, e.detail || e.errorCode);
  });
  $("#failed .empty").hidden = state.failed.length > 0;
}

async function readJournal() {
  const params = new URLSearchParams({ limit: "1000", after: String(state.journalAfter ?? 0) });
  for (const [key, value] of Object.entries(state.filters)) if (value) params.set(key, value);
  const page = await getJson(`/_mock/requests?${params}`);
  for (const entry of page.entries) {
    state.journal.push(entry);
    state.journalAfter = entry.seq;
  }
  state.journal = state.journal.slice(-KEEP_JOURNAL);
  fill($("#journal tbody"), [...state.journal].reverse(), (tr, e) => {
    cell(tr, clock(e.epoch));
    cell(tr, e.method);
    cell(tr, e.path);
    cell(tr, e.status, e.status === 429 ? "limited" : "");
    cell(tr, e.errorCode);
    cell(tr, e.bucket);
    cell(tr, e.login);
  });
}

async function readFaults() {
  const { faults } = await getJson("/_mock/faults");
  fill($("#faults tbody"), faults, (tr, f) => {
    cell(tr, f.id);
    const { id, matched, remaining, ...rule } = f;
    cell(tr, JSON.stringify(rule));
    cell(tr, matched);
    cell(tr, remaining === null ? "∞" : remaining);
  });
  $("#faults .empty").hidden = faults.length > 0;
}

async function refresh() {
  try {
    const [overview, stats] = await Promise.all([getJson("/_mock/overview"), getJson("/_mock/stats")]);
    showOverview(overview);
    showStats(stats);
    await Promise.all([readFailed(), readJournal(), readFaults()]);
    $("#status").textContent = `updated ${new Date().toISOString().slice(11, 19)} UTC`;
  } catch (error) {
    if (error instanceof Unauthorized) {
      signOut("The token was refused: check --token.");
      return;
    }
    $("#status").textContent = `not updated: ${error.message}`;
  }
}

function signIn(token) {
  state.token = token;
  sessionStorage.setItem(TOKEN_KEY, token);
  $("#sign-in").hidden = true;
  $("#dashboard").hidden = false;
  $("#sign-out").hidden = false;
  refresh();
  state.timer = setInterval(refresh, REFRESH_MS);
}

function signOut(message) {
  clearInterval(state.timer);
  sessionStorage.removeItem(TOKEN_KEY);
  state.token = null;
  $("#dashboard").hidden = true;
  $("#sign-out").hidden = true;
  $("#sign-in").hidden = false;
  $("#status").textContent = "signed out";
  const error = $("#sign-in-error");
  error.textContent = message || "";
  error.hidden = !message;
}

$("#sign-in").addEventListener("submit", (event) => {
  event.preventDefault();
  signIn($("#token").value.trim());
});
$("#sign-out").addEventListener("click", () => signOut());
$("#journal-filters").addEventListener("submit", (event) => {
  event.preventDefault();
  state.filters = Object.fromEntries(new FormData(event.target).entries());
  state.journal = [];
  state.journalAfter = 0;
  refresh();
});

if (state.token) signIn(state.token);
