// The mock-okta dashboard: reads the control plane's JSON with the API token, every second.
// No framework, no build step, nothing fetched from elsewhere. Data is written with
// textContent only, never as HTML.
"use strict";

const REFRESH_MS = 1000;
const KEEP_FAILED = 20;
const KEEP_JOURNAL = 25;
const SVG = "http://www.w3.org/2000/svg";
const CHART = { width: 600, height: 180, left: 56, right: 10, top: 10, bottom: 24 };
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

function svgElement(name, attributes, text) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
  if (text !== undefined) element.textContent = text;
  return element;
}

function shortDuration(seconds) {
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  const h = Math.floor(seconds / 3600), m = Math.round((seconds % 3600) / 60);
  return m ? `${h} h ${m} min` : `${h} h`;
}

// Users created (cumulative) and the plan's curve on the same axes, in Okta time from the
// first create: the overview chooses the step, so 30 seconds and 14 hours both read well.
function drawCreated(created, plan) {
  const svg = $("#created-chart");
  svg.replaceChildren();
  const { width, height, left, right, top, bottom } = CHART;
  const plotW = width - left - right, plotH = height - top - bottom;
  const span = Math.max(created.spanSeconds, 1);
  const peak = Math.max(1, created.total, plan ? plan.users : 0);
  const x = (t) => left + (Math.min(t, span) / span) * plotW;
  const y = (u) => top + plotH - (u / peak) * plotH;
  const axis = { stroke: "#c5c9d0", "stroke-width": 1 };
  svg.appendChild(svgElement("line", { x1: left, y1: top + plotH, x2: width - right, y2: top + plotH, ...axis }));
  svg.appendChild(svgElement("line", { x1: left, y1: top, x2: left, y2: top + plotH, ...axis }));
  for (const f of [0, 0.5, 1]) {
    svg.appendChild(svgElement("text", { x: x(span * f), y: height - 6, class: "tick",
      "text-anchor": f === 0 ? "start" : f === 1 ? "end" : "middle" }, shortDuration(span * f)));
    svg.appendChild(svgElement("text", { x: left - 6, y: y(peak * f) + 4, class: "tick",
      "text-anchor": "end" }, Math.round(peak * f).toLocaleString("en")));
  }
  const line = (points, className) => svgElement("polyline", { class: className,
    points: points.map(([t, u]) => `${x(t).toFixed(1)},${y(u).toFixed(1)}`).join(" ") });
  if (plan) svg.appendChild(line(plan.series, "plan"));
  if (created.series.length) svg.appendChild(line(created.series, "actual"));
  if (created.firstMs !== null && created.nowSeconds <= span) {
    const now = x(created.nowSeconds);
    svg.appendChild(svgElement("line", { class: "now", x1: now, y1: top, x2: now, y2: top + plotH }));
  }
  svg.dataset.actualPoints = String(created.series.length);
  svg.dataset.planPoints = String(plan ? plan.series.length : 0);
  const scale = created.timeScale === 1 ? "" : ` (${created.timeScale}× faster here)`;
  $("#created-caption").textContent = created.firstMs === null
    ? "No users yet."
    : `Okta time since the first create${scale}, in steps of ${shortDuration(created.stepSeconds)}.`;
  $("#legend-actual").textContent = `created: ${created.total.toLocaleString("en")} users`;
  $("#legend-plan").hidden = !plan;
  const status = $("#plan-status");
  if (!plan) {
    status.textContent = "No plan: `mock-okta rehearse` sets one, or give a user count below.";
    status.className = "muted";
    return;
  }
  $("#legend-plan").textContent =
    `plan (${plan.label}): ${plan.users.toLocaleString("en")} users in ${duration(plan.durationSeconds)}`;
  const ahead = plan.aheadBy, n = Math.abs(ahead).toLocaleString("en");
  status.textContent = ahead > 0 ? `ahead of plan by ${n} users`
    : ahead < 0 ? `behind plan by ${n} users` : "on plan";
  status.textContent += ` (plan expects ${plan.expectedNow.toLocaleString("en")} by now)`;
  status.className = ahead < 0 ? "behind" : "ahead";
}

async function setPlan(body) {
  const response = await fetch("/_mock/plan", {
    method: body ? "PUT" : "DELETE",
    headers: { Authorization: `SSWS ${state.token}`, "Content-Type": "application/json" },
    body: body ? JSON.stringify(body) : undefined,
  });
  const error = $("#plan-error");
  if (response.status === 400) {
    const problem = await response.json();
    error.textContent = problem.errorCauses.map((c) => c.errorSummary).join("; ");
  }
  error.hidden = response.status !== 400;
  refresh();
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
  drawCreated(o.created, o.plan);
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
    // Requests an Okta minute (the time observed × the time scale, which the limit speaks),
    // a short burst counted as one minute.
    const perMinute = (b.requests / Math.max(b.observedSeconds * (stats.timeScale || 1), 60)) * 60;
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
$("#plan-form").addEventListener("submit", (event) => {
  event.preventDefault();
  setPlan({ users: Number($("#plan-users").value) });
});
$("#plan-clear").addEventListener("click", () => setPlan(null));
$("#journal-filters").addEventListener("submit", (event) => {
  event.preventDefault();
  state.filters = Object.fromEntries(new FormData(event.target).entries());
  state.journal = [];
  state.journalAfter = 0;
  refresh();
});

if (state.token) signIn(state.token);
