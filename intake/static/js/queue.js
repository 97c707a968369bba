// Live triage queue: polls a small JSON endpoint, redraws the rows, ticks the clocks, and makes a
// new P0 impossible to miss (banner, sound, title, and a browser notification where allowed).
// Without JavaScript the page still works and refreshes itself every minute.
(function () {
  "use strict";
  var table = document.getElementById("queue");
  var body = document.getElementById("queue-rows");
  if (!table || !body) { return; }
  var labels = document.getElementById("queue-labels").dataset;
  var banner = document.getElementById("new-urgent");
  var bannerLink = document.getElementById("new-urgent-link");
  var status = document.getElementById("queue-status");
  var baseTitle = document.title;
  var pollMs = Math.max(2, parseInt(table.dataset.pollSeconds, 10) || 5) * 1000;
  var seenP0 = {};
  Array.prototype.forEach.call(body.querySelectorAll("tr.priority-P0"), function (row) {
    seenP0[row.dataset.id] = true;
  });
  // P0s already open on other pages of the queue are not news either.
  (table.dataset.openP0 || "").split(",").forEach(function (id) { if (id) { seenP0[id] = true; } });

  function describe(seconds) {
    seconds = Math.abs(seconds);
    var d = Math.floor(seconds / 86400), h = Math.floor(seconds % 86400 / 3600);
    var m = Math.floor(seconds % 3600 / 60), s = Math.floor(seconds % 60);
    function two(n) { return (n < 10 ? "0" : "") + n; }
    if (d) { return d + "d " + two(h) + "h"; }
    if (h) { return h + "h " + two(m) + "m"; }
    return m + "m " + two(s) + "s";
  }

  function clockText(state, seconds) {
    if (state === "stopped") { return labels.reached; }
    if (state === "red") { return labels.overdue + " " + describe(seconds); }
    return labels["in"] + " " + describe(seconds);
  }

  function cell(row, text, child) {
    var td = document.createElement("td");
    if (child) { td.appendChild(child); } else { td.textContent = text; }
    row.appendChild(td);
  }

  function render(cases, total) {
    var rows = document.createDocumentFragment();
    cases.forEach(function (item) {
      var tr = document.createElement("tr");
      tr.className = "priority-" + item.priority;
      tr.dataset.id = item.id;
      var badge = document.createElement("span");
      badge.className = "badge badge-" + item.priority;
      badge.textContent = item.priority_label;
      cell(tr, "", badge);
      var link = document.createElement("a");
      link.href = item.url;
      link.textContent = item.reference;
      cell(tr, "", link);
      cell(tr, item.top_flag);
      tr.lastChild.className = "top-flag";
      var clock = document.createElement("span");
      clock.className = "clock clock-" + item.clock;
      clock.dataset.due = item.due_at;
      clock.dataset.state = item.clock;
      clock.title = item.due_text;
      clock.textContent = clockText(item.clock, item.seconds_left);
      cell(tr, "", clock);
      cell(tr, item.waited_text);
      tr.lastChild.title = item.received_text;
      cell(tr, item.source_label);
      tr.lastChild.className = "source";
      cell(tr, item.country_label);
      cell(tr, item.language_label);
      cell(tr, item.status_label);
      cell(tr, item.assignee);
      rows.appendChild(tr);
    });
    if (!cases.length) {
      var empty = document.createElement("tr");
      cell(empty, labels.empty);
      empty.firstChild.colSpan = 10;
      rows.appendChild(empty);
    }
    body.replaceChildren(rows);
    status.textContent = (typeof total === "number" ? total : cases.length) + " " + labels.count;
  }

  function beep() {
    try {
      var Context = window.AudioContext || window.webkitAudioContext;
      var audio = new Context();
      var tone = audio.createOscillator();
      tone.frequency.value = 880;
      tone.connect(audio.destination);
      tone.start();
      tone.stop(audio.currentTime + 0.4);
    } catch (ignored) { /* no sound available */ }
  }

  function announce(item) {
    banner.hidden = false;
    bannerLink.href = item.url;
    bannerLink.textContent = item.reference;
    document.title = "(!) " + labels.titleAlert + " - " + baseTitle;
    beep();
    if ("Notification" in window && Notification.permission === "granted") {
      new Notification(labels.titleAlert, { body: item.reference, tag: "p0-" + item.id });
    }
  }

  function poll() {
    fetch(table.dataset.pollUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (response.status === 401 || response.redirected) { window.location.reload(); return null; }
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        if (!data) { return; }
        render(data.cases, data.total);
        (data.p0 || data.cases).forEach(function (item) {
          if ((data.p0 || item.priority === "P0") && !seenP0[item.id]) {
            seenP0[item.id] = true;
            announce(item);
          }
        });
      })
      .catch(function () { /* keep the last rows; try again at the next tick */ });
  }

  function tick() {
    var now = Date.now();
    Array.prototype.forEach.call(body.querySelectorAll(".clock"), function (clock) {
      if (clock.dataset.state === "stopped") { return; }
      var seconds = Math.round((Date.parse(clock.dataset.due) - now) / 1000);
      var state = seconds < 0 ? "red" : clock.dataset.state === "red" ? "ok" : clock.dataset.state;
      clock.textContent = clockText(state, seconds);
      clock.className = "clock clock-" + state;
    });
  }

  if ("Notification" in window && Notification.permission === "default") {
    document.addEventListener("click", function ask() {
      Notification.requestPermission();
      document.removeEventListener("click", ask);
    });
  }
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) { document.title = baseTitle; }
  });
  setInterval(poll, pollMs);
  setInterval(tick, 1000);
})();
