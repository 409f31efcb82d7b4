/* The dashboard's charts (ECharts), drawn from the same rows as the tables beside them.
   The page works without this file: the tables carry every number. No inline script (CSP). */
(function () {
  "use strict";
  if (typeof window.echarts === "undefined") { return; }
  var data = JSON.parse(document.getElementById("dashboard-data").textContent);
  var words = JSON.parse(document.getElementById("dashboard-words").textContent);
  var num = function (s) { return s === null ? 0 : Number(s); };
  var base = { animation: false, grid: { left: 8, right: 16, top: 30, bottom: 8, containLabel: true },
               tooltip: { trigger: "axis" }, textStyle: { fontFamily: "WenQuanYi Micro Hei, sans-serif" } };
  var colours = ["#0b5cad", "#d9822b", "#1b6e3a", "#b3261e", "#6b4fa0", "#5d6b78"];

  function bars(labels, series, horizontal) {
    var cat = { type: "category", data: labels, axisLabel: { interval: 0, hideOverlap: true } };
    var val = { type: "value", minInterval: 1 };
    return Object.assign({}, base, {
      color: colours,
      legend: series.length > 1 ? { top: 0 } : undefined,
      xAxis: horizontal ? val : Object.assign(cat, { axisLabel: { interval: 0, rotate: labels.length > 6 ? 40 : 0 } }),
      yAxis: horizontal ? Object.assign(cat, { inverse: true }) : val,
      series: series.map(function (s) {
        return Object.assign({ type: "bar", barMaxWidth: 36, label: { show: true, position: horizontal ? "right" : "top" } }, s);
      })
    });
  }

  var charts = {
    loans_by_state: function () {
      return bars(data.loans_by_state.map(function (r) { return r.state_label; }),
                  [{ name: words.count, data: data.loans_by_state.map(function (r) { return r.count; }) }]);
    },
    subsidies_by_state: function () {
      return bars(data.subsidies_by_state.map(function (r) { return r.state_label; }),
                  [{ name: words.count, data: data.subsidies_by_state.map(function (r) { return r.count; }) }]);
    },
    stalled_by_township: function () {
      var rows = data.stalled_by_township;
      var o = bars(rows.map(function (r) { return r.name; }), [
        { name: words.loans, stack: "s", data: rows.map(function (r) { return r.loans; }), label: { show: false } },
        { name: words.subsidies, stack: "s", data: rows.map(function (r) { return r.subsidies; }), label: { show: false } }
      ], true);
      return o;
    },
    loan_amounts: function () {
      var a = data.loan_amounts;
      return bars([words.credited, words.disbursed, words.outstanding],
                  [{ name: words.amount, data: [num(a.credited.amount), num(a.disbursed.amount), num(a.outstanding.amount)] }], true);
    },
    overdue_by_age: function () {
      var rows = data.overdue_by_age;
      var o = bars(rows.map(function (r) { return r.band_label; }), [
        { name: words.count, data: rows.map(function (r) { return r.count; }) },
        { name: words.principal, yAxisIndex: 1, data: rows.map(function (r) { return num(r.principal); }) }
      ]);
      o.yAxis = [{ type: "value", minInterval: 1 }, { type: "value" }];  // the legend names both axes
      o.grid.top = 50;
      return o;
    },
    subsidy_amounts: function () {
      var s = data.subsidy_amounts;
      return bars([words.approved, words.paid, words.reserved, words.caps], [{ name: words.amount,
        data: [num(s.approved.amount), num(s.paid.amount), num(s.cap.reserved), num(s.cap.cap_total)] }], true);
    },
    stage_durations: function () {
      var rows = data.stage_durations;
      return bars(rows.map(function (r) { return r.stage_label; }),
                  [{ name: words.days, data: rows.map(function (r) { return r.median_working_days; }) }], true);
    },
    loan_coverage: function () {
      var c = data.loan_coverage;
      return Object.assign({}, base, {
        color: [colours[0], "#d5dce3"], tooltip: { trigger: "item" }, legend: { top: 0 },
        series: [{ type: "pie", radius: ["45%", "70%"], top: 30, label: { formatter: "{b}: {c} ({d}%)" },
                   data: [{ name: words.with_loan, value: c.households_with_loan },
                          { name: words.without_loan, value: c.eligible_households - c.households_with_loan }] }]
      });
    }
  };

  var drawn = [];
  document.querySelectorAll(".chart[data-chart]").forEach(function (el) {
    var make = charts[el.getAttribute("data-chart")];
    if (!make) { return; }
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption(make());
    drawn.push(chart);
  });
  var resize = function () { drawn.forEach(function (c) { c.resize(); }); };
  window.addEventListener("resize", resize);
  window.addEventListener("beforeprint", resize);
  document.documentElement.classList.add("charts-drawn");
}());
