// The campaign panel (issue editor) and the campaign status page update themselves: while a change
// is pending (a sync, a schedule, a send the worker has still to make), poll the state endpoint
// every few seconds and swap the panel's content; stop once it has settled.
(function () {
  "use strict";
  var INTERVAL = 3000;
  var MAX_POLLS = 200; // about ten minutes

  function watch(box) {
    var url = box.getAttribute("data-campaign-state-url");
    var polls = 0;
    function tick() {
      polls += 1;
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (!data) return;
          if (box.getAttribute("data-campaign-html") !== data.html) {
            box.innerHTML = data.html;
            box.setAttribute("data-campaign-html", data.html);
          }
          box.setAttribute("data-pending", data.pending ? "true" : "false");
          if (data.pending && polls < MAX_POLLS) window.setTimeout(tick, INTERVAL);
        })
        .catch(function () {
          if (polls < MAX_POLLS) window.setTimeout(tick, INTERVAL * 2);
        });
    }
    if (box.getAttribute("data-pending") === "true") window.setTimeout(tick, INTERVAL);
  }

  function start() {
    document.querySelectorAll("[data-campaign-state-url]").forEach(watch);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
