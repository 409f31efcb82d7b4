// "Select all" (data-select-all="name") ticks or unticks every box of that name in its form.
// Hidden until this file runs; nothing is ticked for the user unless they choose it.
(function () {
  "use strict";
  document.querySelectorAll("[data-select-all]").forEach(function (all) {
    var form = all.closest("form");
    var boxes = form.querySelectorAll('input[type=checkbox][name="' + all.getAttribute("data-select-all") + '"]');
    all.closest("label").hidden = false;
    all.addEventListener("change", function () {
      boxes.forEach(function (b) { b.checked = all.checked; });
    });
    boxes.forEach(function (b) {
      b.addEventListener("change", function () {
        all.checked = Array.prototype.every.call(boxes, function (x) { return x.checked; });
      });
    });
  });
})();
