// Lamport Bank dashboard: draws /api/state (polled twice a second) and the diagram of the
// last seconds (/api/trace, once a second). The first state comes inside the page, so it
// shows at once. Each element a script may read carries data-* attributes: a node card
// data-node, data-up, data-height; a balance row data-account, data-cents.
"use strict";

const POLL_MS = 500, TRACE_MS = 1000;
let transfersOn = false;
let formFilled = false;

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v; else if (k === "text") e.textContent = v; else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c);
  return e;
}

function dollars(cents) {
  const sign = cents < 0 ? "-" : "", c = Math.abs(cents);
  return sign + "$" + Math.floor(c / 100).toLocaleString("en-US") + "." + String(c % 100).padStart(2, "0");
}

function ms(v) { return v === null || v === undefined ? "–" : (v < 10 ? v.toFixed(2) : v.toFixed(1)) + " ms"; }

function stamp(q) { return "(" + q.ts + "," + q.node + ")"; }

function nodeCard(n, state) {
  const holder = state.holder === n.id;
  const card = el("article", {class: "node" + (n.up ? " up" : " down") + (holder ? " holder" : ""),
                              id: "node-" + n.id, "data-node": n.id, "data-up": n.up ? "1" : "0",
                              "data-height": n.up ? n.height : ""});
  const title = el("h3", {}, "node " + n.id);
  const marks = el("span");
  if (holder) marks.append(el("span", {class: "cs-mark", text: "in critical section"}), " ");
  else if (state.next === n.id && n.up) marks.append(el("span", {class: "cs-mark", text: "next"}), " ");
  marks.append(el("span", {class: "badge", text: n.up ? "up" : "down"}));
  title.append(marks);
  card.append(title);
  const dl = el("dl");
  const row = (k, v, cls) => { dl.append(el("dt", {text: k}), el("dd", {text: v, class: cls || ""})); };
  row("console", n.endpoint);
  if (!n.up) {
    row("why", n.why_down || "no answer");
  } else {
    row("lamport", String(n.lamport), "lamport");
    row("height", String(n.height), "height");
    row("head", (n.head || "").slice(0, 16) + "…");
    row("queue", n.queue.length ? n.queue.map(stamp).join(" ") : "empty");
    row("peers", n.peers.map(p => p.id + (p.connected ? " ✓" : " ✗")).join("  "));
    if (n.diverged) row("diverged", JSON.stringify(n.diverged));
    if (n.security === "off") row("security", "off");
  }
  card.append(dl);
  return card;
}

function polyline(values, max, cls) {
  if (values.length < 2) return "";
  const pts = values.map((v, i) => {
    const x = (i / (values.length - 1)) * 300, y = 58 - (v === null ? 0 : (v / max) * 54);
    return x.toFixed(1) + "," + y.toFixed(1);
  });
  return '<polyline class="' + cls + '" points="' + pts.join(" ") + '"/>';
}

function drawCharts(rates) {
  const s = rates.series || [];
  const tps = s.map(p => p.tps), p50 = s.map(p => p.p50_ms), p99 = s.map(p => p.p99_ms);
  const tmax = Math.max(1, ...tps), wmax = Math.max(1, ...p99.filter(v => v !== null));
  document.getElementById("tps-chart").innerHTML = polyline(tps, tmax, "tps");
  document.getElementById("wait-chart").innerHTML = polyline(p50, wmax, "p50") + polyline(p99, wmax, "p99");
  document.getElementById("series-span").textContent = s.length ? Math.round(s[0].ago_s) : 0;
}

function fillForm(state) {
  if (formFilled || !state.nodes.length) return;
  const from = document.getElementById("t-node"), to = document.getElementById("t-to");
  for (const n of state.nodes) {
    from.append(el("option", {value: n.id, text: "node " + n.id}));
    to.append(el("option", {value: n.id, text: "account " + n.id}));
  }
  if (state.nodes.length > 1) to.value = state.nodes[1].id;
  formFilled = true;
}

function render(state) {
  transfersOn = !!state.transfers;
  document.getElementById("cluster-line").textContent =
      state.up + " of " + state.total + " nodes up" + (state.height === null ? "" : ", height " + state.height) +
      (state.holder ? ", node " + state.holder + " in the critical section" : "");
  const nodes = document.getElementById("nodes");
  nodes.replaceChildren(...state.nodes.map(n => nodeCard(n, state)));

  document.getElementById("balances-from").textContent =
      state.balances_from ? "(node " + state.balances_from + ", height " + state.height + ")" : "(no node answers)";
  const balances = document.querySelector("#balances tbody");
  balances.replaceChildren(...Object.entries(state.balances).map(([id, c]) =>
      el("tr", {"data-account": id, "data-cents": c}, el("td", {text: id}),
         el("td", {class: "num", text: dollars(c)}))));
  const blocks = document.querySelector("#blocks tbody");
  blocks.replaceChildren(...state.blocks.map(b => el("tr", {"data-index": b.index},
      el("td", {class: "num", text: b.index}),
      el("td", {class: "mono", text: b.genesis ? "genesis" : b.txid}),
      el("td", {text: b.genesis ? "" : b.from + " → " + b.to}),
      el("td", {class: "num", text: b.genesis ? "" : dollars(b.amount)}),
      el("td", {class: "mono", text: b.hash.slice(0, 12) + "…"}))));

  const r = state.rates;
  document.getElementById("tps").textContent = r.tps.toFixed(1);
  document.getElementById("tps-window").textContent = "(last " + r.tps_window_s + " s)";
  document.getElementById("p50").textContent = ms(r.p50_ms);
  document.getElementById("p99").textContent = ms(r.p99_ms);
  document.getElementById("wait-window").textContent = "(last " + r.wait_window_s + " s, " + r.entries + " entries)";
  drawCharts(r);

  document.getElementById("transfer-box").hidden = !transfersOn;
  if (transfersOn) fillForm(state);
}

function setLink(ok) {
  const s = document.getElementById("link-state");
  s.className = ok ? "fresh" : "stale";
  s.textContent = ok ? "live" : "bank-web does not answer: the figures below are old";
}

async function poll() {
  try {
    const res = await fetch("/api/state", {cache: "no-store"});
    render(await res.json());
    setLink(true);
  } catch (e) {
    setLink(false);
  }
  setTimeout(poll, POLL_MS);
}

async function pollTrace() {
  try {
    const res = await fetch("/api/trace", {cache: "no-store"});
    document.getElementById("trace").innerHTML = await res.text();
    document.getElementById("trace-summary").textContent = res.headers.get("X-Trace-Summary") || "";
  } catch (e) { /* the state poll says bank-web is gone */ }
  setTimeout(pollTrace, TRACE_MS);
}

document.getElementById("transfer").addEventListener("submit", async ev => {
  ev.preventDefault();
  const out = document.getElementById("transfer-outcome");
  out.className = "";
  out.textContent = "sending…";
  try {
    const res = await fetch("/api/transfer", {method: "POST", body: new URLSearchParams(new FormData(ev.target))});
    const r = await res.json();
    out.className = r.ok ? "ok" : "bad";
    out.textContent = r.ok ? "committed: block " + r.block.index + ", txid " + r.txid
                           : (r.status ? r.status + ": " : "") + r.error;
  } catch (e) {
    out.className = "bad";
    out.textContent = "bank-web does not answer";
  }
});

const initial = document.getElementById("initial-state");
if (initial) render(JSON.parse(initial.textContent));
setTimeout(poll, POLL_MS);
pollTrace();
