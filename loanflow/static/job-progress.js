// Follows a background job on its page: polls the element's data-progress-url each second, moves
// the <progress> bar and the row count, and reloads the page once the job has finished (the page
// then shows the report). Without JavaScript the page has a plain "Refresh" link.
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box || !box.dataset.progressUrl) { return; }
  var bar = document.getElementById("job-bar");
  var count = document.getElementById("job-count");
  var template = count ? count.textContent.replace(/\d+/, "{n}") : "{n}";
  function poll() {
    fetch(box.dataset.progressUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (job) {
        if (job.total) { bar.max = job.total; }
        bar.value = job.done;
        if (count) { count.textContent = template.replace("{n}", job.done); }
        if (job.state === "done" || job.state === "failed") { window.location.reload(); return; }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 1000);
})();
