// The Communications page (SPEC §6): plain ES module, no build step. Every
// value from the API reaches the page through textContent or a sandboxed
// iframe, never as markup, so a message body with script in it stays text.

const $ = (selector, root = document) => root.querySelector(selector);

// --- API ---------------------------------------------------------------

function headers(extra = {}) {
  const key = sessionStorage.getItem("herald-key");
  return key ? { ...extra, Authorization: `Bearer ${key}` } : extra;
}

async function api(path, options = {}) {
  const response = await fetch(path, { ...options, headers: headers(options.headers) });
  if (response.status === 401) {
    $("#key-form").hidden = false;
    throw new Error("an API key is needed");
  }
  const body = response.headers.get("content-type")?.includes("json") ? await response.json() : null;
  if (!response.ok) throw new Error(body?.error?.message ?? `HTTP ${response.status}`);
  return body;
}

function postJson(path, body) {
  return api(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
}

function say(text) {
  $("#status-line").textContent = text;
}

// --- Table helpers -----------------------------------------------------

function cell(row, text, className) {
  const td = row.insertCell();
  td.textContent = text ?? "";
  if (className) td.className = className;
  return td;
}

function when(rfc3339) {
  return rfc3339 ? new Date(rfc3339).toLocaleString() : "";
}

// --- Communications ----------------------------------------------------

const columns = {
  communications: [
    ["subject", "Subject"], ["recipient", "Recipient"], ["mapped_to_label", "Mapped to"], ["channel", "Channel"],
    ["latest_status", "Status"], ["attempts", "Attempts"], ["category", "Category"], ["type", "Type"],
    ["workflow", "Workflow"], ["customer", "Customer"], ["last_attempt_at", "Last attempt"],
  ],
  log: [
    ["created_at", "Created"], ["subject", "Subject"], ["recipient", "Recipient"], ["mapped_to_label", "Mapped to"],
    ["channel", "Channel"], ["status", "Status"], ["status_reason", "Reason"], ["attempt", "Attempt"],
    ["category", "Category"], ["type", "Type"], ["workflow", "Workflow"], ["automated", "Automated"],
    ["sender", "From"], ["provider", "Provider"],
  ],
};
const hidden = new Set(["type", "customer", "provider", "sender", "automated"]);

const state = { tab: "communications", group: "all", cursor: null, selected: new Set() };

function display(item, key) {
  const v = item[key];
  if (key === "recipient") return v?.name || v?.email || v?.mobile || v?.key || "";
  if (key.endsWith("_at")) return when(v);
  if (typeof v === "boolean") return v ? "yes" : "no";
  return v ?? "";
}

function buildColumnPicker() {
  const box = $("#columns");
  box.querySelectorAll("label").forEach((l) => l.remove());
  for (const [key, title] of columns[state.tab]) {
    const label = document.createElement("label");
    const input = document.createElement("input");
    input.type = "checkbox";
    input.checked = !hidden.has(key);
    input.addEventListener("change", () => {
      input.checked ? hidden.delete(key) : hidden.add(key);
      load(false);
    });
    label.append(input, ` ${title}`);
    box.append(label);
  }
}

function query() {
  const form = new FormData($("#filters"));
  const params = new URLSearchParams();
  for (const [name, value] of form) {
    if (!value) continue;
    if (name === "from" || name === "to") params.set(name, new Date(value).toISOString());
    else if (name === "show_ignored") params.set(name, "true");
    else params.set(name, value);
  }
  if (!params.has("status")) params.set("status", state.group);
  return params;
}

// Answers come back in any order: a list, the detail or the explain view
// shows only the answer to the last request made for it, so a click that
// changed the filters (or the row, or the entity) is not undone by the
// slower answer to the click before it. Returns a function telling whether
// the request it was taken for is still the last.
const lastRequest = new Map();
function newRequest(list) {
  const n = (lastRequest.get(list) ?? 0) + 1;
  lastRequest.set(list, n);
  return () => lastRequest.get(list) === n;
}

async function load(append) {
  const params = query();
  params.set("limit", "50");
  if (append && state.cursor) params.set("cursor", state.cursor);
  const path = state.tab === "log" ? "/v1/log" : "/v1/communications";
  const current = newRequest("results");
  let answer;
  try {
    answer = await api(`${path}?${params}`);
  } catch (e) {
    if (current()) say(e.message);
    return;
  }
  if (!current()) return;
  const table = $("#results");
  const shown = columns[state.tab].filter(([key]) => !hidden.has(key));
  if (!append) {
    state.selected.clear();
    $("#resend-selected").disabled = true;
    table.tHead.replaceChildren();
    const head = table.tHead.insertRow();
    const select = document.createElement("th");
    select.textContent = "Select";
    head.append(select);
    for (const [, title] of shown) {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = title;
      head.append(th);
    }
    table.tBodies[0].replaceChildren();
  }
  for (const item of answer.items) {
    const row = table.tBodies[0].insertRow();
    row.tabIndex = 0;
    row.dataset.id = item.id;
    const pick = document.createElement("input");
    pick.type = "checkbox";
    pick.setAttribute("aria-label", `select ${item.subject ?? item.id}`);
    const communication = state.tab === "log" ? item.communication_id : item.id;
    pick.addEventListener("click", (event) => {
      event.stopPropagation();
      pick.checked ? state.selected.add(communication) : state.selected.delete(communication);
      $("#resend-selected").disabled = state.selected.size === 0;
    });
    row.insertCell().append(pick);
    for (const [key] of shown) {
      const statusKey = key === "status" || key === "latest_status";
      cell(row, String(display(item, key)), statusKey ? `status status-${item[key]}` : undefined);
    }
    const open = () => openDetail(state.tab === "log" ? item.id : item.latest_attempt_id);
    row.addEventListener("click", open);
    row.addEventListener("keydown", (event) => {
      if (event.key === "Enter") open();
    });
  }
  state.cursor = answer.next_cursor;
  $("#more").hidden = !answer.next_cursor;
  say(`${table.tBodies[0].rows.length} shown${answer.next_cursor ? ", more available" : ""}`);
}

async function openDetail(attemptId) {
  const current = newRequest("detail");
  let a;
  try {
    a = await api(`/v1/log/${encodeURIComponent(attemptId)}`);
  } catch (e) {
    if (current()) say(e.message);
    return;
  }
  if (!current()) return;
  $("#detail-title").textContent = a.subject || a.id;
  const fields = $("#detail-fields");
  fields.replaceChildren();
  const rows = [
    ["Attempt", a.id], ["Status", `${a.status}${a.status_reason ? ` (${a.status_reason})` : ""}`],
    ["Channel", a.channel], ["Provider", a.provider], ["Provider id", a.provider_message_id],
    ["To", display(a, "recipient")], ["From", a.sender], ["Mapped to", a.mapped_to_label || a.mapped_to],
    ["Workflow", a.workflow], ["Template", a.template ? `${a.template} v${a.template_version}` : ""],
    ["Resend of", a.resend_of], ["Created", when(a.created_at)], ["Sent", when(a.sent_at)],
  ];
  for (const [name, value] of rows) {
    if (!value) continue;
    const dt = document.createElement("dt");
    dt.textContent = name;
    const dd = document.createElement("dd");
    dd.textContent = value;
    fields.append(dt, dd);
  }
  const content = a.content ?? {};
  $("#detail-text").textContent = content.text ?? "";
  // The HTML body as sent, in a sandbox: no script runs, nothing reaches the page.
  const frame = $("#detail-html");
  frame.hidden = !content.html;
  frame.srcdoc = content.html ?? "";
  const attachments = $("#detail-attachments");
  attachments.replaceChildren();
  for (const att of content.attachments ?? []) {
    const li = document.createElement("li");
    li.textContent = `Attachment: ${att.name} (${att.content_type})`;
    attachments.append(li);
  }
  const timeline = $("#detail-timeline");
  timeline.replaceChildren();
  for (const t of a.timeline ?? []) {
    const li = document.createElement("li");
    li.textContent = `${when(t.at)} — ${t.status}${t.reason ? `: ${t.reason}` : ""}`;
    timeline.append(li);
  }
  const provider = $("#detail-provider");
  provider.replaceChildren();
  for (const p of a.provider_events ?? []) {
    const li = document.createElement("li");
    li.textContent = `${when(p.at)} — ${p.provider} ${p.event}${p.reason ? `: ${p.reason}` : ""}`;
    provider.append(li);
  }
  const resend = $("#detail-resend");
  resend.onclick = async () => {
    try {
      const r = await postJson(`/v1/communications/${encodeURIComponent(a.communication_id)}/resend`, { attempt: a.id });
      $("#detail").close();
      await load(false);
      say(`Resent as ${r.attempts.join(", ")}`);
    } catch (e) {
      say(e.message);
    }
  };
  resend.disabled = a.channel === "manual" || a.status === "unknown";  // decide first (below)
  // An unknown outcome (a provider call under way at a crash) waits for an
  // operator's decision; "not sent" allows a resend afterwards.
  const reconcile = $("#detail-reconcile");
  reconcile.hidden = a.status !== "unknown";
  for (const button of reconcile.querySelectorAll("button")) {
    button.onclick = async () => {
      try {
        await postJson(`/v1/log/${encodeURIComponent(a.id)}/reconcile`, { outcome: button.dataset.outcome });
        $("#detail").close();
        await openDetail(a.id);
        await load(false);
      } catch (e) {
        say(e.message);
      }
    };
  }
  $("#detail").showModal();
}

async function resendSelected() {
  const ids = [...state.selected];
  try {
    const preview = await postJson("/v1/communications/resend", { ids, dry_run: true });
    if (!confirm(`Resend ${preview.count} communication(s)?`)) return;
    const done = await postJson("/v1/communications/resend", { ids });
    await load(false);
    say(`Resent ${done.results.filter((r) => r.attempt).length} of ${done.count}`);
  } catch (e) {
    say(e.message);
  }
}

async function download() {
  const params = query();
  params.set("limit", "1000");
  const response = await fetch(`/v1/download?${params}`, { headers: headers() });
  if (!response.ok) return say(`Download failed: HTTP ${response.status}`);
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement("a");
  link.href = url;
  link.download = "herald-attempts.zip";
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

// --- Explain: an entity's instances and rule traces ---------------------

function traceList(trace) {
  const list = document.createElement("ul");
  for (const t of trace ?? []) {
    const li = document.createElement("li");
    li.textContent = `${t.held ? "✓" : "✗"} ${t.rule} — saw ${JSON.stringify(t.seen ?? null)}`;
    list.append(li);
  }
  return list;
}

// The instance's state machine as it went: created, scheduled (due when),
// fired, rendered, and where each action ended.
function timelineList(timeline) {
  const list = document.createElement("ol");
  list.className = "timeline";
  for (const t of timeline ?? []) {
    const li = document.createElement("li");
    const action = t.action === undefined ? "" : ` (action ${t.action + 1})`;
    const due = t.due ? `, due ${when(t.due)}` : "";
    li.textContent = `${when(t.at)} ${t.state}${action}${due}${t.reason ? ` — ${t.reason}` : ""}`;
    list.append(li);
  }
  return list;
}

async function explain(entity) {
  const box = $("#explain");
  box.replaceChildren();
  const current = newRequest("explain");
  let view;
  try {
    view = await api(`/v1/entities/${entity.split("/").map(encodeURIComponent).join("/")}`);
  } catch (e) {
    if (current()) box.textContent = e.message;
    return;
  }
  if (!current()) return;
  for (const inst of view.instances ?? []) {
    const block = document.createElement("article");
    const title = document.createElement("h4");
    title.textContent = `${inst.workflow}: ${inst.state}${inst.reason ? ` (${inst.reason})` : ""} — ${inst.id}`;
    block.append(title, traceList(inst.trace));
    if (inst.fire_trace?.length) {
      const fired = document.createElement("p");
      fired.textContent = "When it fell due:";
      block.append(fired, traceList(inst.fire_trace));
    }
    if (inst.timeline?.length) {
      const steps = document.createElement("p");
      steps.textContent = "What happened:";
      block.append(steps, timelineList(inst.timeline));
    }
    box.append(block);
  }
  // Workflows that looked at an event and did not start.
  for (const h of view.history?.items ?? []) {
    if (h.type !== "herald.workflow.evaluated") continue;
    const block = document.createElement("article");
    const title = document.createElement("h4");
    title.textContent = `${h.data.workflow}: did not fire on event ${h.data.trigger_seq}`;
    block.append(title, traceList(h.data.trace));
    box.append(block);
  }
  if (!box.children.length) box.textContent = "No workflow has looked at this entity.";
}

// --- Other views -------------------------------------------------------

async function fill(tableId, path, render) {
  const body = $(`#${tableId}`).tBodies[0];
  body.replaceChildren();
  const current = newRequest(tableId);
  try {
    const answer = await api(path);
    if (!current()) return;
    for (const item of answer.items) render(body.insertRow(), item);
  } catch (e) {
    if (current()) say(e.message);
  }
}

const views = {
  communications: () => load(false),
  queue: () => fill("queue-table", "/v1/queue?limit=1000", (row, q) => {
    cell(row, when(q.due_at ?? q.due));
    cell(row, q.workflow);
    cell(row, q.mapped_to_label || q.mapped_to);
    cell(row, (q.recipients ?? []).join(", "));
    cell(row, q.instance_id);
  }),
  workflows: () => {
    fill("workflow-table", "/v1/workflows", (row, w) => {
      cell(row, w.id);
      cell(row, w.body?.title);
      cell(row, w.body?.module);
      cell(row, String(w.version));
      cell(row, w.body?.enabled === false ? "no" : "yes");
    });
    fill("error-table", "/v1/workflow-errors?limit=1000", (row, i) => {
      cell(row, i.id);
      cell(row, i.workflow);
      cell(row, i.entity_label || i.entity);
      cell(row, i.reason);
      const run = document.createElement("button");
      run.textContent = "Run again";
      run.addEventListener("click", async () => {
        try {
          await api(`/v1/instances/${encodeURIComponent(i.id)}/execute`, { method: "POST" });
          views.workflows();
        } catch (e) {
          say(e.message);
        }
      });
      row.insertCell().append(run);
    });
  },
  tasks: () => fill("task-table", "/v1/tasks?limit=1000", (row, t) => {
    cell(row, t.title);
    cell(row, t.reason);
    cell(row, t.mapped_to_label || t.mapped_to);
    cell(row, t.recipient);
    const form = document.createElement("form");
    const outcome = document.createElement("input");
    outcome.name = "outcome";
    outcome.required = true;
    outcome.placeholder = "what was done";
    outcome.setAttribute("aria-label", `outcome of ${t.title}`);
    const done = document.createElement("button");
    done.textContent = "Complete";
    form.append(outcome, done);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        await postJson(`/v1/tasks/${encodeURIComponent(t.id)}/complete`, { outcome: outcome.value });
        views.tasks();
      } catch (e) {
        say(e.message);
      }
    });
    row.insertCell().append(form);
  }),
};

function show(view) {
  for (const button of document.querySelectorAll("nav button")) {
    button.toggleAttribute("aria-current", button.dataset.view === view);
    if (button.dataset.view === view) button.setAttribute("aria-current", "page");
  }
  for (const section of document.querySelectorAll("main > section")) section.hidden = section.id !== view;
  views[view]();
}

// --- Wiring --------------------------------------------------------------

for (const button of document.querySelectorAll("nav button")) {
  button.addEventListener("click", () => show(button.dataset.view));
}
for (const tab of document.querySelectorAll("[role=tab]")) {
  tab.addEventListener("click", () => {
    state.tab = tab.dataset.tab;
    for (const t of document.querySelectorAll("[role=tab]")) t.setAttribute("aria-selected", String(t === tab));
    buildColumnPicker();
    load(false);
  });
}
for (const button of document.querySelectorAll("[data-group]")) {
  button.addEventListener("click", () => {
    state.group = button.dataset.group;
    for (const b of document.querySelectorAll("[data-group]")) b.setAttribute("aria-pressed", String(b === button));
    load(false);
  });
}
$("#filters").addEventListener("submit", (event) => {
  event.preventDefault();
  load(false);
});
$("#more").addEventListener("click", () => load(true));
// A form that asks for an operation: its filled fields (converted where
// needed) are posted to `path`; the list reloads and says what was made.
function operationForm(selector, path, convert, made) {
  $(selector).addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = {};
    for (const [name, value] of new FormData(event.target)) {
      if (value) body[name] = convert(name, value);
    }
    try {
      const r = await postJson(path, body);
      event.target.reset();
      await load(false);
      say(`${made} ${r.attempts.join(", ")}`);
    } catch (e) {
      say(e.message);
    }
  });
}

operationForm("#log-form", "/v1/communications",
  (name, value) => (name === "date_created" ? new Date(value).toISOString() : value), "Logged as");
operationForm("#send-form", "/v1/send",
  (name, value) => (name === "to" ? value.split(",").map((s) => s.trim()).filter(Boolean) : value), "Sent as");
$("#explain-form").addEventListener("submit", (event) => {
  event.preventDefault();
  explain(new FormData(event.target).get("entity"));
});
$("#resend-selected").addEventListener("click", resendSelected);
$("#download").addEventListener("click", download);
$("#key-form").addEventListener("submit", (event) => {
  event.preventDefault();
  sessionStorage.setItem("herald-key", $("#api-key").value);
  $("#key-form").hidden = true;
  show("communications");
});

// The custom lists (GET /v1/lists/...) offered in the type and category filters.
async function loadLists() {
  for (const name of ["types", "categories"]) {
    try {
      const list = await api(`/v1/lists/${name}`);
      const box = $(`#${name}-list`);
      box.replaceChildren();
      for (const item of list.body.items) {
        const option = document.createElement("option");
        option.value = item;
        box.append(option);
      }
    } catch {
      // no list defined yet: free text
    }
  }
}

buildColumnPicker();
show("communications");
loadLists();
