// newsbot's chat page: asks POST /api/ask with the conversation's earlier questions and
// shows the verdict first, then the sides (side by side, with their outlets and independent
// sources), a wh-question's grouped answers, the story's timeline and each source with its
// quotes highlighted; "Timeline" asks GET /api/timeline for a question's dated claims.
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

// A text with each [n] as a link to its source below.
function linked(tag, cls, text, turn) {
  const node = el(tag, { class: cls });
  for (const part of text.split(/(\[\d+\])/)) {
    const m = /^\[(\d+)\]$/.exec(part);
    if (m) node.append(el("a", { class: "cite", onclick: () => openSource(turn, Number(m[1])) }, part));
    else if (part) node.append(part);
  }
  return node;
}

function cites(numbers, turn) {
  return numbers.map((n) => el("a", { class: "cite", onclick: () => openSource(turn, n) }, `[${n}]`));
}

// The verdict in bold first, then the rest of the answer; when the structured parts show
// the same quotes, the rest folds away under "Full answer".
function answerText(answer, turn, structured) {
  const node = el("div", { class: "answer-text" });
  const lines = answer.answer.split("\n");
  const verdict = answer.verdict || "";
  const rest = verdict && lines[0] === verdict ? lines.slice(1).join("\n") : answer.answer;
  if (verdict) node.append(linked("p", "verdict", verdict, turn));
  if (!rest.trim()) return node;
  const body = linked("p", "answer-body", rest, turn);
  if (!structured) node.append(body);
  else node.append(el("details", { class: "full-answer" }, el("summary", {}, "Full answer"), body));
  return node;
}

function citationCard(c) {
  return el("div", { class: "citation", "data-n": String(c.n) },
    el("blockquote", {}, c.quote),
    el("div", { class: "byline" }, `[${c.n}] ${c.title}`, byline(c) ? ` — ${byline(c)}` : ""));
}

function plural(count, word) {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

// "2 outlets, 1 independent": how many publishers carry a side and how many are its own reporting.
function sideCount(side) {
  const outlets = side.outlets.length ? plural(side.outlets.length, "outlet") : "";
  return [outlets, `${side.independent_sources} independent`].filter(Boolean).join(", ");
}

function sideColumn(side, answer) {
  const label = SIDE_LABELS[side.stance] || "Answer";
  const who = side.attributed_to.length ? ` — ${side.attributed_to.join(", ")}` : "";
  const column = el("section", { class: `side ${side.stance}` },
    el("h3", {}, label + who),
    el("p", { class: "side-count" }, sideCount(side), side.outlets.length ? el("span", { class: "byline" }, `: ${side.outlets.join(", ")}`) : null));
  if (side.single_source) column.append(el("p", { class: "byline" }, `Every outlet here quotes one source: ${side.single_source}`));
  for (const copy of side.copies) column.append(el("p", { class: "byline" }, `The same text: ${copy.join(", ")}`));
  if (side.claim) column.append(el("p", { class: "claim" }, side.claim));
  const numbered = answer.citations.filter((c) => side.citations.includes(c.n));
  const own = numbered.filter((c) => c.stance === side.stance);
  for (const c of own.length ? own : numbered) column.append(citationCard(c));
  return column;
}

// One column per side: side by side when there are two or more.
function sides(answer) {
  const columns = el("div", { class: "sides" });
  if (answer.sides && answer.sides.length) {
    for (const side of answer.sides) columns.append(sideColumn(side, answer));
    return columns;
  }
  for (const stance of ["supports", "denies"]) {  // an answer without sides: its citations' stances
    const cited = answer.citations.filter((c) => c.stance === stance);
    const column = el("section", { class: `side ${stance}` }, el("h3", {}, SIDE_LABELS[stance]));
    for (const c of cited) column.append(citationCard(c));
    if (!cited.length) column.append(el("p", { class: "byline" }, "No source on this side."));
    columns.append(column);
  }
  return columns;
}

// A wh-question's answers as the sources give them, each with its count of independent sources.
function answerGroups(answer, turn) {
  const list = el("ul", { class: "answers" });
  for (const group of answer.answers) {
    list.append(el("li", {}, el("strong", {}, group.value), ` — ${plural(group.count, "independent source")} `,
      ...cites(group.citations, turn)));
  }
  return list;
}

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function dayName(iso) {
  const day = new Date(`${iso.slice(0, 10)}T00:00:00Z`);
  if (Number.isNaN(day.getTime())) return iso;
  return `${WEEKDAYS[day.getUTCDay()]} ${day.getUTCDate()} ${MONTHS[day.getUTCMonth()]} ${day.getUTCFullYear()}`;
}

// The story's dated claims, oldest first.
function timeline(answer, turn) {
  const list = el("ol", { class: "timeline" });
  for (const entry of answer.timeline) {
    list.append(el("li", {}, el("time", { datetime: entry.date }, dayName(entry.date)),
      el("span", { class: "who" }, entry.who), ` ${entry.claim} `, ...cites([entry.citation], turn)));
  }
  return el("section", { class: "timeline-box" }, el("h3", {}, "Timeline"), list);
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

function showAnswer(reply, answer, question) {
  const turn = {};
  const hasSides = (answer.sides || []).length > 0 || answer.status === "conflict";
  const hasAnswers = (answer.answers || []).length > 0;
  const hasTimeline = (answer.timeline || []).length > 0;
  const parts = [
    el("span", { class: `status status-${answer.status}` }, STATUS_LABELS[answer.status] || answer.status),
    answerText(answer, turn, hasSides || hasAnswers || hasTimeline),
    answer.notice ? el("p", { class: "notice" }, answer.notice) : null,
    hasSides ? sides(answer) : null,
    hasAnswers ? answerGroups(answer, turn) : null,
    hasTimeline ? timeline(answer, turn) : null,
    answer.citations.length ? sourcesList(answer, turn) : null,
    question ? el("div", { class: "actions" },
      el("button", { type: "button", class: "secondary timeline-button", onclick: () => showTimeline(question) }, "Timeline")) : null,
  ];
  reply.replaceChildren(...parts.filter((part) => part !== null));
}

// A turn of the conversation: the question shown at once, its reply filled in by `load`.
async function addTurn(label, load) {
  const reply = el("div", { class: "reply" }, el("span", { class: "status status-pending" }, "Searching the articles…"));
  const block = el("article", { class: "turn" }, el("p", { class: "question" }, label), reply);
  document.getElementById("conversation").append(block);
  block.scrollIntoView({ block: "end" });
  try {
    await load(reply);
  } catch (err) {
    reply.replaceChildren(el("span", { class: "status status-error" }, "Error"), el("p", {}, err.message));
  }
  block.scrollIntoView({ block: "start" });
}

async function ask(question) {
  await addTurn(question, async (reply) => {
    const answer = await postJSON("/api/ask", { question, history: history.slice(-MAX_HISTORY) });
    showAnswer(reply, answer, question);
    history.push(question);
  });
}

// The dated claims of the story a question names, as a turn of its own (not part of the history).
async function showTimeline(question) {
  await addTurn(`Timeline: ${question}`, async (reply) => {
    const answer = await readJSON(await fetch(`/api/timeline?q=${encodeURIComponent(question)}`));
    showAnswer(reply, answer, null);
  });
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
