// The rating form (评级): the running total and the grade it earns, as the officer enters points.
// The form works without this file; the grade is then shown after rating.
(function () {
  "use strict";
  var box = document.querySelector(".score-total[data-grades]");
  if (!box) return;
  var form = box.closest("form");
  var grades = JSON.parse(box.getAttribute("data-grades"));
  var inputs = form.querySelectorAll("input[data-score]");
  var total = box.querySelector("#score-total");
  var grade = box.querySelector("#score-grade");

  function update() {
    var sum = 0, complete = true;
    inputs.forEach(function (input) {
      var raw = input.value.trim();
      var n = Number(raw);
      var max = Number(input.getAttribute("max"));
      var bad = raw !== "" && (!/^\d+$/.test(raw) || n > max);
      input.classList.toggle("over", bad);
      if (raw === "" || bad) { complete = false; } else { sum += n; }
    });
    total.textContent = String(sum);
    var earned = null;
    for (var i = 0; i < grades.length; i++) {
      if (sum >= grades[i].min) { earned = grades[i]; break; }
    }
    grade.textContent = earned
      ? earned.label + " · " + box.getAttribute("data-limit").replace("{limit}", Number(earned.limit).toLocaleString("zh-CN", {minimumFractionDigits: 2}))
      : box.getAttribute("data-none");
    box.classList.toggle("incomplete", !complete);
    box.classList.toggle("low", earned === null);
  }

  form.addEventListener("input", update);
  update();
})();
