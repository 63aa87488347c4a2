// newsbot's chat page: asks POST /api/ask with the conversation's earlier questions,
// shows the answer, both sides of a conflict, and each source with its quotes highlighted.
// Plain DOM, no build step; every text from the server goes in as text, never as HTML.
"use strict";

const MAX_HISTORY = 6;
const STATUS_LABELS = { answered: "Answered", conflict: "Sources disagree", not_found: "Not found" };
const SIDE_LABELS = { supports: "Reported", denies: "Denied" };
let history = [];

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}

function byline(c) {
  return [c.source, (c.published || "").slice(0, 10)].filter(Boolean).join(", ");
}

async function postJSON(url, body) {
  const response = await fetch(url, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  });
  return readJSON(response);
}

async function readJSON(response) {
  let data = null;
  try { data = await response.json(); } catch (e) { data = null; }
  if (!response.ok) {
    const message = data && data.error ? data.error.message : `the server answered ${response.status}`;
    throw new Error(message);
  }
  return data;
}

// The answer text with each [n] as a link to its source below.
function answerText(answer, turn) {
  const node = el("p", { class: "answer-text" });
  const parts = answer.answer.split(/(\[\d+\])/);
  for (const part of parts) {
    const m = /^\[(\d+)\]$/.exec(part);
    if (m) {
      node.append(el("a", { class: "cite", onclick: () => openSource(turn, Number(m[1])) }, part));
    } else {
      node.append(part);
    }
  }
  return node;
}

function citationCard(c) {
  return el("div", { class: "citation", "data-n": String(c.n) },
    el("blockquote", {}, c.quote),
    el("div", { class: "byline" }, `[${c.n}] ${c.title}`, byline(c) ? ` — ${byline(c)}` : ""));
}

function sides(answer) {
  const columns = el("div", { class: "sides" });
  for (const stance of ["supports", "denies"]) {
    const cited = answer.citations.filter((c) => c.stance === stance);
    const column = el("section", { class: `side ${stance}` }, el("h3", {}, SIDE_LABELS[stance]));
    for (const c of cited) column.append(citationCard(c));
    if (!cited.length) column.append(el("p", { class: "byline" }, "No source on this side."));
    columns.append(column);
  }
  return columns;
}

// One entry per cited article; opening it shows the article with every quote marked.
function sourcesList(answer, turn) {
  const list = el("ol", { class: "sources" });
  const seen = new Map();
  for (const c of answer.citations) {
    if (!seen.has(c.n)) seen.set(c.n, []);
    seen.get(c.n).push(c);
  }
  for (const [n, cited] of [...seen.entries()].sort((a, b) => a[0] - b[0])) {
    const first = cited[0];
    const item = el("li", { class: "source", "data-n": String(n), "data-article": first.article_id });
    const label = `[${n}] ${first.title || "(untitled)"}`;
    item.append(el("button", { type: "button", class: "source-toggle", onclick: () => toggleArticle(item, cited) }, label));
    if (byline(first)) item.append(el("span", { class: "byline" }, ` — ${byline(first)}`));
    if (first.url && /^https?:\/\//.test(first.url)) {
      item.append(" ", el("a", { href: first.url, rel: "noopener noreferrer", target: "_blank", class: "byline" }, "link"));
    }
    list.append(item);
  }
  turn.sources = list;
  return list;
}

function highlighted(text, cited) {
  const node = el("div", { class: "article" });
  const spans = cited.map((c) => [c.start, c.end]).sort((a, b) => a[0] - b[0]);
  let at = 0;
  for (const [start, end] of spans) {
    if (start < at) continue;
    node.append(text.slice(at, start), el("mark", {}, text.slice(start, end)));
    at = end;
  }
  node.append(text.slice(at));
  return node;
}

async function toggleArticle(item, cited) {
  const open = item.querySelector(".article");
  if (open) { open.remove(); return; }
  try {
    const doc = await readJSON(await fetch(`/api/docs/${encodeURIComponent(cited[0].article_id)}`));
    const view = highlighted(doc.text, cited);
    item.append(view);
    const mark = view.querySelector("mark");
    if (mark) view.scrollTop = mark.offsetTop - view.offsetTop - 40;
  } catch (err) {
    item.append(el("div", { class: "article" }, `Could not open the article: ${err.message}`));
  }
}

function openSource(turn, n) {
  const item = turn.sources && turn.sources.querySelector(`li[data-n="${n}"]`);
  if (!item) return;
  if (!item.querySelector(".article")) item.querySelector(".source-toggle").click();
  item.scrollIntoView({ behavior: "smooth", block: "nearest" });
}

function showAnswer(reply, answer) {
  const turn = {};
  const parts = [
    el("span", { class: `status status-${answer.status}` }, STATUS_LABELS[answer.status] || answer.status),
    answerText(answer, turn),
    answer.notice ? el("p", { class: "notice" }, answer.notice) : null,
    answer.status === "conflict" ? sides(answer) : null,
    answer.citations.length ? sourcesList(answer, turn) : null,
  ];
  reply.replaceChildren(...parts.filter((part) => part !== null));
}

async function ask(question) {
  const reply = el("div", { class: "reply" }, el("span", { class: "status status-pending" }, "Searching the articles…"));
  const block = el("article", { class: "turn" }, el("p", { class: "question" }, question), reply);
  document.getElementById("conversation").append(block);
  block.scrollIntoView({ block: "end" });
  try {
    const answer = await postJSON("/api/ask", { question, history: history.slice(-MAX_HISTORY) });
    showAnswer(reply, answer);
    history.push(question);
  } catch (err) {
    reply.replaceChildren(el("span", { class: "status status-error" }, "Error"), el("p", {}, err.message));
  }
  block.scrollIntoView({ block: "start" });
}

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("ask-form");
  const input = document.getElementById("question");
  const button = document.getElementById("ask-button");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const question = input.value.trim();
    if (!question) return;
    input.value = "";
    button.disabled = true;
    try { await ask(question); } finally { button.disabled = false; input.focus(); }
  });
  document.getElementById("new-conversation").addEventListener("click", () => {
    history = [];
    document.getElementById("conversation").replaceChildren();
    input.focus();
  });
  input.focus();
});
