// skillcert exam page: saves each answer as it is chosen, keeps unsent answers in the
// browser (localStorage) and retries them until the server acknowledges; counts down from
// the server's deadline. Without this script the page still works through its forms.
(function () {
  "use strict";
  var root = document.getElementById("exam");
  if (!root) { return; }
  var boot = JSON.parse(root.getAttribute("data-boot"));
  var csrf = root.getAttribute("data-csrf");
  var msg = boot.msg;
  var key = "skillcert-attempt-" + boot.attempt;
  var statusEl = document.getElementById("save-status");
  var form = document.getElementById("answers");
  var closed = !boot.open;

  // State kept across reloads: the highest sequence used and answers not yet acknowledged.
  var state = { seq: boot.last_seq, pending: {} };
  try {
    var saved = JSON.parse(localStorage.getItem(key) || "null");
    if (saved && typeof saved.seq === "number") { state = saved; }
  } catch (e) { /* private mode or corrupt: start clean */ }
  if (state.seq < boot.last_seq) { state.seq = boot.last_seq; }
  // Drop pending answers the server already has (same or newer sequence).
  Object.keys(state.pending).forEach(function (pos) {
    var acked = boot.answers[pos];
    if (acked !== undefined && acked >= state.pending[pos].seq) { delete state.pending[pos]; }
  });
  function persist() {
    try { localStorage.setItem(key, JSON.stringify(state)); } catch (e) { /* keep going in memory */ }
  }
  persist();

  function fieldset(pos) { return document.getElementById("q" + pos); }

  function readAnswer(fs) {
    var type = fs.getAttribute("data-type");
    if (type === "short") {
      return { text: fs.querySelector("textarea").value };
    }
    if (type === "true_false") {
      var t = fs.querySelector("input:checked");
      return t ? { truth: t.value === "true" } : null;
    }
    var picks = [];
    fs.querySelectorAll("input:checked").forEach(function (i) { picks.push(parseInt(i.value, 10)); });
    picks.sort(function (a, b) { return a - b; });
    return { choice: picks };
  }

  function given(a) {
    if (!a) { return false; }
    if (a.choice) { return a.choice.length > 0; }
    if (a.text !== undefined) { return a.text.trim().length > 0; }
    return true;
  }

  // Put an unsent answer from a previous page load back on screen.
  function apply(fs, a) {
    if (a.text !== undefined) { fs.querySelector("textarea").value = a.text; return; }
    fs.querySelectorAll("input").forEach(function (i) {
      if (a.truth !== undefined) { i.checked = (i.value === "true") === a.truth; }
      else { i.checked = a.choice.indexOf(parseInt(i.value, 10)) >= 0; }
    });
  }
  Object.keys(state.pending).forEach(function (pos) {
    var fs = fieldset(pos);
    if (fs) { apply(fs, state.pending[pos].answer); }
  });

  function refreshMap() {
    var n = 0;
    document.querySelectorAll("fieldset.question").forEach(function (fs) {
      var pos = fs.getAttribute("data-position");
      var link = document.getElementById("map-" + pos);
      var done = given(readAnswer(fs));
      if (done) { n += 1; }
      if (link) {
        link.classList.toggle("answered", done);
        link.classList.toggle("pending", !!state.pending[pos]);
      }
    });
    var c = document.getElementById("answered-count");
    if (c) { c.textContent = String(n); }
    return n;
  }

  function showStatus() {
    if (!statusEl) { return; }
    var n = Object.keys(state.pending).length;
    statusEl.classList.remove("pending", "failed");
    if (closed) { return; }
    if (n === 0) { statusEl.textContent = msg.saved; }
    else if (offline) { statusEl.textContent = msg.offline.replace("{n}", n); statusEl.classList.add("failed"); }
    else { statusEl.textContent = msg.saving.replace("{n}", n); statusEl.classList.add("pending"); }
  }

  var inflight = {};
  var offline = false;
  var backoff = 1000;
  var timer = null;

  function stop(text) {
    closed = true;
    if (statusEl) { statusEl.textContent = text; statusEl.classList.add("failed"); }
    form.querySelectorAll("fieldset").forEach(function (fs) { fs.disabled = true; });
    setTimeout(function () { window.location.reload(); }, 3000);
  }

  function send(pos) {
    var p = state.pending[pos];
    if (!p || inflight[pos] || closed) { return; }
    inflight[pos] = p.seq;
    fetch("/api/v1/attempts/" + boot.attempt + "/answers/" + pos, {
      method: "PUT",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify({ seq: p.seq, answer: p.answer })
    }).then(function (res) {
      delete inflight[pos];
      if (res.ok) {
        offline = false;
        backoff = 1000;
        if (state.pending[pos] && state.pending[pos].seq === p.seq) { delete state.pending[pos]; }
        persist();
        after();
        return;
      }
      return res.json().catch(function () { return {}; }).then(function (body) {
        var code = body && body.code;
        if (code === "answer-stale" || code === "answer-sequence-reused") {
          // A newer answer is already stored (from another tab or device): this one is moot.
          if (state.pending[pos] && state.pending[pos].seq === p.seq) { delete state.pending[pos]; }
          persist();
          after();
        } else if (code === "attempt-expired") {
          stop(msg.expired);
        } else if (code === "attempt-submitted") {
          stop(msg.submitted);
        } else if (res.status === 401) {
          window.location.href = "/login?next=" + encodeURIComponent(window.location.pathname);
        } else if (res.status >= 500 || res.status === 429) {
          retryLater();
        } else {
          // The server refused this answer's shape: keep it visible, tell the candidate.
          if (statusEl) { statusEl.textContent = msg.refused + (body.message ? " " + body.message : ""); statusEl.classList.add("failed"); }
          delete state.pending[pos];
          persist();
        }
      });
    }).catch(function () {
      delete inflight[pos];
      offline = true;
      retryLater();
    });
  }

  function retryLater() {
    showStatus();
    if (timer) { return; }
    timer = setTimeout(function () { timer = null; flush(); }, backoff);
    backoff = Math.min(backoff * 2, 15000);
  }

  function flush() { Object.keys(state.pending).forEach(send); showStatus(); }
  function after() { refreshMap(); showStatus(); }

  function changed(fs) {
    if (closed) { return; }
    var pos = fs.getAttribute("data-position");
    var a = readAnswer(fs);
    if (!a) { return; }
    state.seq += 1;
    state.pending[pos] = { seq: state.seq, answer: a };
    persist();
    refreshMap();
    send(pos);
  }

  var typing = {};
  form.addEventListener("change", function (ev) {
    var fs = ev.target.closest("fieldset.question");
    if (fs) { clearTimeout(typing[fs.id]); changed(fs); }
  });
  form.addEventListener("input", function (ev) {
    if (ev.target.tagName !== "TEXTAREA") { return; }
    var fs = ev.target.closest("fieldset.question");
    clearTimeout(typing[fs.id]);
    typing[fs.id] = setTimeout(function () { changed(fs); }, 1200);
  });
  window.addEventListener("online", flush);
  setInterval(function () { if (Object.keys(state.pending).length) { flush(); } }, 10000);

  // Submitting: send what is pending first, then confirm with the unanswered count.
  var submitForm = document.getElementById("submit-form");
  if (submitForm) {
    submitForm.addEventListener("submit", function (ev) {
      var total = document.querySelectorAll("fieldset.question").length;
      var unanswered = total - refreshMap();
      var pending = Object.keys(state.pending).length;
      var text = msg.confirm;
      if (unanswered > 0) { text = msg.unanswered.replace("{n}", unanswered) + "\n" + text; }
      if (pending > 0) { text = msg.pending.replace("{n}", pending) + "\n" + text; flush(); }
      if (!window.confirm(text)) { ev.preventDefault(); return; }
      try { localStorage.removeItem(key); } catch (e) { /* ignore */ }
    });
  }

  // The countdown runs from the server's deadline, measured when the page was served.
  var tEl = document.getElementById("timer-value");
  var end = Date.now() + boot.remaining_ms;
  function tick() {
    var left = Math.max(0, end - Date.now());
    var m = Math.floor(left / 60000), s = Math.floor(left / 1000) % 60;
    if (tEl) { tEl.textContent = m + ":" + (s < 10 ? "0" : "") + s; }
    var box = document.getElementById("timer");
    if (box) { box.classList.toggle("low", left < 5 * 60000); }
    if (left <= 0 && !closed) { stop(msg.expired); return; }
    setTimeout(tick, 1000 - (Date.now() % 1000) + 5);
  }
  if (!closed) { tick(); }
  after();
  flush();
})();
