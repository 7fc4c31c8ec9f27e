// The slabuilder workspace: send the answers on each change, show what comes back.
// No library: fetch, a short delay while typing, and nothing typed is ever replaced.
"use strict";
(() => {
  const token = document.querySelector('meta[name="token"]').content;
  let version = Number(document.querySelector('meta[name="version"]').content);
  const status = document.getElementById("status");
  const offline = document.getElementById("offline");
  const say = (text, bad) => { status.textContent = text; status.classList.toggle("bad", !!bad); };
  const tab = Math.random().toString(36).slice(2) + Date.now().toString(36);
  let pending = false; // edits the workspace has not taken yet
  let stale = false;   // the answers changed elsewhere: this page must be reloaded

  async function send(url, body, headers) {
    let response;
    try {
      response = await fetch(url, { method: "POST", body,
        headers: Object.assign({ "X-Token": token }, headers || {}) });
    } catch (e) {
      return [0, { error: "slabuilder is not answering" }];
    }
    let data = {};
    try { data = await response.json(); } catch (e) { data = { error: "no answer from slabuilder" }; }
    return [response.status, data];
  }

  // Every two seconds: is the workspace there, and did the answers change elsewhere?
  let refreshNow = null;
  setInterval(async () => {
    let answer = null;
    try {
      const response = await fetch("/api/ping", { cache: "no-store" });
      answer = response.ok ? await response.json() : null;
    } catch (e) { answer = null; }
    offline.hidden = answer !== null;
    if (answer === null || stale) return;
    if (pending && refreshNow) { refreshNow(); }
    else if (answer.version !== version && answer.tab !== tab) { goStale(); }
  }, 2000);
  // The answers changed in another tab: say so where it is seen, and take no more typing
  // that could not be kept.
  const staleBanner = document.getElementById("stale");
  function goStale() {
    stale = true;
    staleBanner.hidden = false;  // role=alert: said once, here (the status line stays quiet)
    say("");
    for (const field of document.querySelectorAll("#answers input, #answers select")) {
      if (field.tagName === "SELECT" || field.type === "checkbox") { field.disabled = true; } else { field.readOnly = true; }
    }
    // Nor does it save or download answers it does not show.
    if (save) save.disabled = true;
    for (const link of document.querySelectorAll("a[data-download]")) {
      link.removeAttribute("href");
      link.setAttribute("aria-disabled", "true");
    }
    const state = document.getElementById("preview-state");
    if (state) state.textContent = "not updated: reload this page";
  }
  const sendJson = (url, value) => send(url, JSON.stringify(value), { "Content-Type": "application/json" });

  const load = document.getElementById("load");
  load.addEventListener("change", async () => {
    const file = load.files[0];
    if (!file) return;
    if (!window.confirm("Open " + file.name + "? Its answers replace the ones on this page.")) {
      load.value = "";
      say("Nothing was opened; the answers on this page are as they were.");
      return;
    }
    const [code, data] = await send("/api/load", file,
      { "Content-Type": "application/octet-stream", "X-Filename": encodeURIComponent(file.name) });
    load.value = "";
    if (code === 200) { window.location.href = "/"; } else { say(data.error, true); }
  });

  const save = document.getElementById("save");
  if (save) {
    save.addEventListener("click", async () => {
      let [code, data] = await sendJson("/api/save", { replace: false, version });
      if (code === 409 && data.exists) {
        if (!window.confirm(data.message)) { say("Nothing was saved."); return; }
        [code, data] = await sendJson("/api/save", { replace: true, version });
      }
      if (code === 409 && data.stale) { goStale(); }
      say(code === 200 ? data.message : data.error, code !== 200);
      // ... and beside the button, where the eye is (on a phone the top is scrolled away).
      const saveState = document.getElementById("save-state");
      saveState.textContent = code === 200 ? data.message : data.error;
      saveState.classList.toggle("bad", code !== 200);
    });
  }

  // A download says it is being made (a cold PDF takes seconds) and when it is done.
  const downloadState = document.getElementById("download-state");
  document.addEventListener("click", async (event) => {
    const link = event.target.closest("a[data-download]");
    if (!link || !downloadState) return;
    event.preventDefault();
    if (link.getAttribute("aria-disabled")) return; // this page is out of date
    const what = link.dataset.download;
    downloadState.textContent = "Making " + what + "… (a few seconds)";
    let response;
    try { response = await fetch(link.href); } catch (e) { response = null; }
    if (!response || !response.ok) {
      downloadState.textContent = "Could not make " + what + (response ? ": " + await response.text() : ": slabuilder is not answering");
      return;
    }
    const name = (response.headers.get("Content-Disposition") || "").match(/filename="([^"]+)"/);
    const url = URL.createObjectURL(await response.blob());
    const save = document.createElement("a");
    save.href = url;
    save.download = name ? name[1] : what;
    document.body.appendChild(save);
    save.click();
    save.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
    downloadState.textContent = "Downloaded " + (name ? name[1] : what) + ".";
  });

  const form = document.getElementById("answers");
  if (!form) return;
  const parts = [...form.querySelectorAll("section.part")];
  const links = [...form.querySelectorAll(".steps a")];
  const touched = new Set();
  let current = 0;

  function show(index, focus) {
    current = Math.max(0, Math.min(parts.length - 1, index));
    parts.forEach((part, i) => { part.hidden = i !== current; });
    links.forEach((link, i) => {
      if (i === current) { link.setAttribute("aria-current", "step"); } else { link.removeAttribute("aria-current"); }
    });
    if (focus) {
      const heading = parts[current].querySelector("h2");
      heading.focus();
      heading.scrollIntoView({ block: "nearest" });
    }
  }
  function showTarget(hash, focus) {
    const target = hash && document.getElementById(hash.slice(1));
    if (!target) { show(0); return; }
    const part = target.closest("section.part");
    if (!part) return; // outside the questions (the skip link, the figures): no part changes
    show(parts.indexOf(part), focus && target === part);
    const field = target.querySelector("input, select");
    if (field && target !== part) {
      field.focus();
      if (field.type === "text") field.setSelectionRange(field.value.length, field.value.length);
      target.scrollIntoView({ block: "center" });
    }
  }
  // Each part is a place in the browser's history: Back and Forward move between parts.
  form.addEventListener("click", (event) => {
    const button = event.target.closest("button.next, button.back, .steps a");
    if (!button) return;
    event.preventDefault();
    const index = button.matches(".steps a") ? Number(button.dataset.step) - 1
      : current + (button.matches(".next") ? 1 : -1);
    const part = parts[Math.max(0, Math.min(parts.length - 1, index))];
    history.pushState({ part: part.id }, "", "#" + part.id);
    showTarget("#" + part.id, true);
  });
  window.addEventListener("popstate", () => showTarget(window.location.hash, true));
  window.addEventListener("hashchange", () => showTarget(window.location.hash, true));

  function values() {
    const out = {};
    for (const box of form.querySelectorAll("[data-q]")) {
      if (box.dataset.type === "multi-choice") {
        out[box.dataset.q] = [...box.querySelectorAll("input:checked")].map((i) => i.value);
      } else {
        out[box.dataset.q] = box.querySelector("input, select").value;
      }
    }
    return out;
  }

  const figures = document.getElementById("figures");
  const preview = document.getElementById("preview");
  const previewState = document.getElementById("preview-state");
  let timer = null;
  let sent = 0;

  const announce = document.getElementById("announce");
  let shownFigures = null;
  const targetBar = document.getElementById("target-bar");
  targetBar.addEventListener("click", (event) => {
    event.preventDefault();
    figures.scrollIntoView({ block: "start" });
    figures.focus({ preventScroll: true });
  });
  const target = () => {
    const cell = figures.querySelector('td[data-stage="MQLs"], td[data-stage="MQL"]');
    return cell ? cell.textContent.trim() : "";
  };
  function apply(data) {
    for (const [id, field] of Object.entries(data.fields)) {
      const box = document.getElementById("q-" + id);
      if (!box) continue;
      box.hidden = !field.visible;
      // A new problem waits until the user leaves the field ("Berl" is not yet "Berlin");
      // one already shown follows every keystroke, so its correction is seen at once.
      const waits = id === typingIn && !box.classList.contains("bad");
      const shown = field.error && !waits && (!field.empty || touched.has(id)) ? field.error : "";
      box.querySelector(".err").textContent = shown;
      box.classList.toggle("bad", !!shown);
      const input = box.querySelector("input:not([type=checkbox]), select");
      if (input) {
        if (shown) { input.setAttribute("aria-invalid", "true"); } else { input.removeAttribute("aria-invalid"); }
      }
      // A number is shown back as read where it was typed in this page, not under every
      // answer the file or a default gave.
      const read = box.querySelector(".understood");
      if (read) read.textContent = shown || !touched.has(id) ? "" : (field.understood || "");
      const prompt = box.querySelector(".prompt");
      if (prompt.textContent !== field.prompt) prompt.textContent = field.prompt;
      const help = box.querySelector(".help");  // its examples follow the way numbers are written
      if (help && field.help && help.textContent !== field.help) help.textContent = field.help;
    }
    for (const link of links) {
      const state = data.parts[link.dataset.part];
      if (!state || link.dataset.state === state) continue;
      link.dataset.state = state;
      link.querySelector(".part-state").textContent = state === "done" ? ", done" : ", needs attention";
    }
    // The panel is replaced only when it says something new, and an explanation the user
    // opened stays open.
    if (data.figures !== shownFigures) {
      const before = target();
      const opened = [...figures.querySelectorAll("details[open]")].map((d) => d.className);
      figures.innerHTML = data.figures;
      shownFigures = data.figures;
      for (const details of figures.querySelectorAll("details")) {
        if (opened.includes(details.className)) details.open = true;
      }
      // Only what changed is announced: the MQL target, not the whole panel.
      const after = target();
      if (after && after !== before) { announce.textContent = "MQL target: " + after + "."; }
      // On a narrow screen the panel is below the questions: the target stays in sight.
      const period = figures.querySelector(".targets thead th:nth-child(2)");
      targetBar.hidden = !after;
      targetBar.textContent = after ? "MQL target: " + after + (period ? " " + period.textContent : "") + " · see the figures" : "";
    }
    if (data.preview === null) {
      if (!preview.srcdoc) { previewState.textContent = "waiting for the answers still needed"; return; }
      previewState.textContent = "out of date: it shows the last complete answers; see the figures for what is missing";
      preview.classList.add("outdated");
      return;
    }
    preview.classList.remove("outdated");
    const y = preview.contentWindow ? preview.contentWindow.scrollY : 0;
    preview.onload = () => { preview.contentWindow.scrollTo(0, y); };
    preview.srcdoc = data.preview;
    previewState.textContent = "up to date";
  }

  let lastSent = null;
  let inFlight = false;
  async function refresh() {
    if (stale) return;
    const mine = ++sent;
    inFlight = true;
    pending = true;
    previewState.textContent = "updating…";
    const now = values();
    lastSent = JSON.stringify(now);
    const [code, data] = await sendJson("/api/form", { values: now, version, tab });
    if (mine !== sent) return; // a later change is already on its way
    inFlight = false;
    if (code === 0) { offline.hidden = false; previewState.textContent = "waiting for slabuilder"; return; }
    offline.hidden = true;
    if (code === 409 && data.stale) { pending = false; goStale(); return; }
    if (code === 200) { pending = false; version = data.version; apply(data); } else { say(data.error, true); }
  }
  refreshNow = refresh;
  let typingIn = null; // the question being typed in, until the user leaves it
  function changed(event) {
    const box = event.target.closest("[data-q]");
    if (box) touched.add(box.dataset.q);
    typingIn = event.type === "input" && box ? box.dataset.q : null;
    clearTimeout(timer);
    timer = setTimeout(refresh, event.type === "input" ? 250 : 0);
  }
  // Tab after a change waits for the answer: a question it reveals comes next, not after.
  // (Whether the page holds answers the workspace has not answered yet is read from the
  // fields themselves: the change event may come before or after the key.)
  form.addEventListener("keydown", async (event) => {
    if (event.key !== "Tab" || event.shiftKey) return;
    if (JSON.stringify(values()) === lastSent && !inFlight) return;
    event.preventDefault();
    const from = event.target;
    clearTimeout(timer);
    await refresh();
    const all = [...form.querySelectorAll("input, select, button, a[href]")]
      .filter((el) => !el.closest("[hidden]") && !el.disabled);
    const next = all[all.indexOf(from) + 1];
    if (next) next.focus();
  });
  // Leaving for the review page right after typing: the edit is sent first, not lost.
  for (const away of document.querySelectorAll('a[href="/review"]')) {
    away.addEventListener("click", async (event) => {
      if (stale || (JSON.stringify(values()) === lastSent && !inFlight)) return;
      event.preventDefault();
      clearTimeout(timer);
      await refresh();
      window.location.href = away.href;
    });
  }
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("submit", (event) => event.preventDefault());

  showTarget(window.location.hash);
  // The browser's own jump to the #fragment, at load, takes the focus off the field: give it
  // back once it is done ("Change" on the review page lands in the field, ready to type).
  window.addEventListener("load", () => {
    if (document.activeElement === document.body) requestAnimationFrame(() => showTarget(window.location.hash));
  }, { once: true });
  refresh();
})();
