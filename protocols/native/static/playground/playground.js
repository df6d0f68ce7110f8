// Playground: sends a prompt to POST /v1/chat/stream and draws the Server-Sent Events as they
// arrive. EventSource cannot POST, so the stream is read from fetch() and parsed here.
"use strict";

(() => {
  // ui.userId is the element with data-testid="user-id", and so on.
  const ui = {};
  for (const id of ["user-id", "session-id", "token", "new-session", "conversation",
    "suggestions", "composer", "prompt", "send", "trace"]) {
    const key = id.replace(/-(\w)/g, (_, letter) => letter.toUpperCase());
    ui[key] = document.querySelector(`[data-testid="${id}"]`);
  }
  const emptyNote = ui.conversation.querySelector(".empty");
  const traceTitle = document.getElementById("trace-title");
  let running = null; // AbortController of the run that streams now
  let loadingHistory = false;
  let historyTicket = 0; // answers for a session no longer shown are dropped
  let runStartedAt = 0; // performance.now() when the current run was sent

  function el(tag, className, text, testid) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    if (testid) node.dataset.testid = testid;
    return node;
  }

  function randomId() {
    const bytes = crypto.getRandomValues(new Uint8Array(5)); // randomUUID needs HTTPS
    return `s-${Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("")}`;
  }

  function ms(value) {
    if (typeof value !== "number") return "–";
    return `${value.toFixed(value < 10 ? 2 : value < 100 ? 1 : 0)} ms`;
  }

  const TOKEN_KEY = "playground.token";
  const busy = () => Boolean(running) || loadingHistory;
  const authorization = () => ({ Authorization: `Bearer ${ui.token.value.trim()}` });

  function refreshBusy() {
    ui.send.disabled = busy();
    ui.suggestions.querySelectorAll("button").forEach((b) => (b.disabled = busy()));
    document.body.dataset.state = running ? "streaming" : loadingHistory ? "loading" : "idle";
  }

  // The URL keeps the user and the session across reloads (never the token).
  function readUrlState() {
    const params = new URLSearchParams(location.search);
    ui.userId.value = params.get("user") || ui.userId.value;
    ui.sessionId.value = params.get("session") || randomId();
    writeUrlState();
  }

  function writeUrlState() {
    const params = { user: ui.userId.value.trim(), session: ui.sessionId.value.trim() };
    history.replaceState(null, "", `${location.pathname}?${new URLSearchParams(params)}`);
  }

  const scrollToEnd = () => (ui.conversation.scrollTop = ui.conversation.scrollHeight);

  function addBubble(role, text) {
    emptyNote.remove();
    const bubble = el("div", `bubble ${role}`, undefined, `${role}-message`);
    bubble.append(el("div", "text", text, `${role}-text`));
    ui.conversation.append(bubble);
    scrollToEnd();
    return bubble;
  }

  function showError(message) {
    addBubble("error", message).setAttribute("role", "alert");
  }

  function addTimings(bubble, timings) {
    if (!timings) return;
    const text = `TTFT ${ms(timings.ttft_ms)} · total ${ms(timings.total_ms)}`;
    bubble.append(el("div", "timings", text, "timings"));
  }

  function showSuggestions(list) {
    for (const text of list || []) {
      const button = ui.suggestions.appendChild(el("button", "suggestion", text, "suggestion"));
      button.type = "button";
      button.addEventListener("click", () => busy() || send(text));
    }
    refreshBusy();
  }

  function clearConversation() {
    ui.conversation.replaceChildren(emptyNote);
    ui.suggestions.replaceChildren();
    ui.trace.replaceChildren();
  }

  function addTraceRow(kind, name, detail) {
    const row = el("li", `row ${kind}`, undefined, `trace-${kind}`);
    row.dataset[kind] = name;
    row.dataset.state = "running";
    const label = el("span", "name", name);
    label.append(el("span", "when", `+${ms(performance.now() - runStartedAt)}`)); // since sent
    row.append(label, el("span", "detail", detail));
    ui.trace.append(row);
    return row;
  }

  function runningRow(kind, name) {
    const rows = [...ui.trace.children].filter((row) => row.dataset[kind] === name);
    return rows.filter((row) => row.dataset.state === "running").pop();
  }

  function traceAgent({ name, status, durationMs }) {
    if (status !== "completed") return addTraceRow("agent", name, "running…");
    const row = runningRow("agent", name) || addTraceRow("agent", name, "");
    row.dataset.state = "done";
    row.querySelector(".detail").textContent = ms(durationMs);
  }

  function traceToolStarted({ tool, args }) {
    const summary = JSON.stringify(args ?? {});
    const code = el("code", "args", summary.length > 140 ? `${summary.slice(0, 139)}…` : summary);
    code.title = summary;
    addTraceRow("tool", tool, "running…").append(code);
  }

  function traceToolCompleted({ tool, ok, latencyMs, error }) {
    const row = runningRow("tool", tool) || addTraceRow("tool", tool, "");
    row.dataset.state = ok ? "ok" : "failed";
    row.querySelector(".detail").textContent = `${ok ? "ok" : "failed"} · ${ms(latencyMs)}`;
    if (error) row.append(el("div", "tool-error", String(error)));
  }

  function parseFrame(frame) {
    let type = "message";
    const data = [];
    for (const line of frame.split("\n")) {
      if (!line || line.startsWith(":")) continue; // blank or heartbeat comment
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "event") type = value;
      else if (field === "data") data.push(value);
    }
    return data.length ? { type, data: JSON.parse(data.join("\n")) } : null;
  }

  async function readEvents(response, onEvent) {
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      buffer = (buffer + decoder.decode(value, { stream: !done })).replace(/\r\n?/g, "\n");
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const event = parseFrame(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
        if (event) onEvent(event);
      }
      if (done) return;
    }
  }

  async function describeFailure(response) {
    let detail = response.statusText;
    try {
      detail = (await response.json()).detail;
    } catch {
      // Not JSON: keep the status text.
    }
    if (Array.isArray(detail)) {
      detail = detail.map((item) => `${(item.loc || []).slice(1).join(".")}: ${item.msg}`).join("; ");
    }
    const text = `${response.status}: ${typeof detail === "string" ? detail : JSON.stringify(detail)}`;
    const advice = whatToDo(response);
    return advice ? `${text}. ${advice}` : text;
  }

  // What a person can do about a refusal, beside what the server said.
  function whatToDo(response) {
    if (response.status === 401) {
      return "Check the Token field: devkey on a development server (make run), otherwise an " +
        "API key from `manage.py createapikey <user>`.";
    }
    if (response.status === 403) {
      return "This key may not act for that user: use the user's own key, or the service key.";
    }
    if (response.status === 429) {
      const wait = response.headers.get("Retry-After");
      return `Too many requests or streams for this key: wait ${wait ? `${wait} s` : "a moment"} and send again.`;
    }
    return "";
  }

  function onRunEvent(run, { type, data }) {
    const text = run.answer.querySelector(".text");
    if (type === "agent") traceAgent(data);
    else if (type === "tool_call_started") traceToolStarted(data);
    else if (type === "tool_call_completed") traceToolCompleted(data);
    else if (type === "token") text.textContent += data.text;
    else if (type === "done") {
      text.textContent = data.fullText;
      addTimings(run.answer, data.timings);
      addTraceButton(run.answer, data.messageId);
      showSuggestions(data.suggestions);
    } else if (type === "error") showError(`${data.code}: ${data.message}`);
    run.ended ||= type === "done" || type === "error";
    scrollToEnd();
  }

  async function send(prompt) {
    addBubble("user", prompt);
    ui.suggestions.replaceChildren();
    ui.trace.replaceChildren();
    traceTitle.textContent = "Live trace";
    const run = { answer: addBubble("assistant", ""), ended: false };
    running = run.controller = new AbortController();
    runStartedAt = performance.now();
    run.answer.setAttribute("aria-busy", "true");
    refreshBusy();
    try {
      const response = await fetch("/v1/chat/stream", {
        method: "POST",
        headers: { ...authorization(), "Content-Type": "application/json" },
        body: JSON.stringify({
          sessionId: ui.sessionId.value.trim(),
          userId: ui.userId.value.trim(),
          prompt,
        }),
        signal: run.controller.signal,
      });
      if (!response.ok) return showError(await describeFailure(response));
      await readEvents(response, (event) => onRunEvent(run, event));
      if (!run.ended) showError("The stream ended before the answer was complete.");
    } catch (error) {
      if (error.name !== "AbortError") showError(`The stream failed: ${error.message}`);
    } finally {
      run.answer.removeAttribute("aria-busy");
      if (!run.answer.querySelector(".text").textContent) run.answer.remove();
      if (running === run.controller) running = null;
      refreshBusy();
    }
  }

  function renderHistory(messages) {
    messages.forEach((message) => {
      const bubble = addBubble(message.role === "user" ? "user" : "assistant", message.content);
      if (message.role !== "user") {
        addTimings(bubble, message.metadata?.timings);
        addTraceButton(bubble, message.id);
      }
    });
    const last = messages[messages.length - 1];
    if (last && last.role !== "user") showSuggestions(last.metadata?.suggestions);
  }

  // A past answer's trace, from the waterfall stored with its run (GET /v1/metrics/{id}/runs).
  function addTraceButton(bubble, messageId) {
    const button = bubble.appendChild(el("button", "open-trace", "Show trace", "open-trace"));
    button.type = "button";
    button.addEventListener("click", () => openTrace(messageId));
  }

  async function openTrace(messageId) {
    const session = encodeURIComponent(ui.sessionId.value.trim());
    try {
      const response = await fetch(`/v1/metrics/${session}/runs?limit=200`, {
        headers: authorization(),
      });
      if (!response.ok) return showError(`Could not load the trace: ${await describeFailure(response)}`);
      const run = (await response.json()).runs.find((stored) => stored.messageId === messageId);
      if (!run) return showError("No trace was stored for this answer.");
      showStoredTrace(run);
    } catch (error) {
      showError(`Could not load the trace: ${error.message}`);
    }
  }

  function showStoredTrace(run) {
    ui.trace.replaceChildren();
    traceTitle.textContent = `Trace of ${new Date(run.timestamp).toLocaleTimeString()}`;
    for (const entry of run.timeline) {
      if (entry.kind === "mark") continue;
      const row = el("li", `row ${entry.kind}`, undefined, `trace-${entry.kind}`);
      row.dataset[entry.kind] = entry.name;
      row.dataset.state = entry.ok ? (entry.kind === "tool" ? "ok" : "done") : "failed";
      const label = el("span", "name", entry.name);
      label.append(el("span", "when", `+${ms(entry.start_ms)}`)); // since the request arrived
      const duration = ms(entry.end_ms - entry.start_ms);
      const detail = entry.kind === "tool" ? `${entry.ok ? "ok" : "failed"} · ${duration}` : duration;
      row.append(label, el("span", "detail", detail));
      ui.trace.append(row);
    }
  }

  async function loadHistory() {
    const ticket = ++historyTicket;
    const session = ui.sessionId.value.trim();
    clearConversation();
    // No token yet, or an invalid id: there is no history to ask for.
    loadingHistory = ui.sessionId.checkValidity() && Boolean(ui.token.value.trim());
    refreshBusy();
    if (!loadingHistory) return;
    try {
      const url = `/v1/sessions/${encodeURIComponent(session)}/messages?limit=50`;
      const response = await fetch(url, { headers: authorization() });
      const body = response.ok ? await response.json() : null;
      if (ticket !== historyTicket || response.status === 404) return; // 404: nothing said yet
      if (body) renderHistory(body.messages);
      else showError(`Could not load the history: ${await describeFailure(response)}`);
    } catch (error) {
      if (ticket === historyTicket) showError(`Could not load the history: ${error.message}`);
    } finally {
      if (ticket === historyTicket) loadingHistory = false;
      refreshBusy();
    }
  }

  function changeSession(sessionId) {
    running?.abort();
    ui.sessionId.value = sessionId;
    writeUrlState();
    loadHistory();
  }

  ui.userId.addEventListener("change", writeUrlState);
  ui.sessionId.addEventListener("change", () => changeSession(ui.sessionId.value.trim()));
  // The token stays in this browser only (localStorage), never in the URL or the page.
  ui.token.value ||= localStorage.getItem(TOKEN_KEY) || "";
  ui.token.addEventListener("input", () => localStorage.setItem(TOKEN_KEY, ui.token.value.trim()));
  ui.token.addEventListener("change", () => running || loadHistory());
  ui.newSession.addEventListener("click", () => changeSession(randomId()));
  ui.composer.addEventListener("submit", (event) => {
    event.preventDefault();
    const prompt = ui.prompt.value.trim();
    if (busy() || !prompt) return;
    if (!ui.userId.checkValidity() || !ui.sessionId.checkValidity()) {
      return showError("User id and session id take 1–128 letters, digits or _ . : @ -");
    }
    ui.prompt.value = "";
    send(prompt);
  });
  ui.prompt.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      ui.composer.requestSubmit();
    }
  });

  readUrlState();
  loadHistory();
  ui.prompt.focus();
})();
