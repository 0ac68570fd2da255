/* Organizer results page: follow a running aggregation by polling its status endpoint
 * (GET /api/v1/rounds/<id>/aggregate/status/), and reload the page once it has finished so
 * the ranking shows the new results. Without JavaScript the page shows the state at load time. */
(function () {
  "use strict";
  var box = document.querySelector("[data-aggregation-status]");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-status-url");
  var label = box.querySelector("[data-state-label]");
  var bar = box.querySelector("[data-progress]");
  var pending = { queued: true, running: true };
  var tries = 0;

  function show(state) {
    var text = box.getAttribute("data-label-" + state);
    if (label && text) { label.textContent = text; }
    if (bar) {
      if (state === "done") { bar.value = 100; }
      else if (state === "queued") { bar.value = 10; }
      else if (state === "running") { bar.removeAttribute("value"); }
    }
  }

  function poll() {
    tries += 1;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        show(data.state);
        if (pending[data.state]) {
          if (tries < 600) { window.setTimeout(poll, 1500); }
        } else if (data.state === "done" && pending[box.getAttribute("data-state")]) {
          window.location.reload();
        }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }

  if (pending[box.getAttribute("data-state")]) { poll(); }
})();
