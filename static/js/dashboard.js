// Dashboard charts (Apache ECharts, vendored): coverage rate against the 90 % target, and
// premium against claims paid. The numbers come from the page's json_script block.
(function () {
  var source = document.getElementById("dashboard-data");
  if (!source || typeof echarts === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var SHORT = 5; // characters of a name kept on a narrow chart; the tooltip shows it in full

  // The category axis for a chart ``width`` px wide. Wide: every name, level or at 45 degrees.
  // Narrow (a phone): upright names, shortened, and ECharts leaves out any label that would
  // overlap its neighbour (hideOverlap, interval "auto") instead of printing them on top of
  // each other.
  function axisFor(width) {
    var room = (width - 100) / Math.max(data.names.length, 1);
    var narrow = room < 18; // a 12 px label at 45 degrees needs some 17 px per category
    var tilted = !narrow && data.names.length > 8;
    return {
      axis: {
        type: "category",
        data: data.names,
        axisLabel: {
          interval: narrow ? "auto" : 0,
          rotate: narrow ? 90 : tilted ? 45 : 0,
          hideOverlap: true,
          formatter: function (name) {
            return narrow && name.length > SHORT ? name.slice(0, SHORT - 1) + "…" : name;
          }
        }
      },
      grid: { left: 50, right: 70, top: 40, bottom: narrow ? 70 : tilted ? 80 : 40 }
    };
  }

  var coverage = echarts.init(document.getElementById("chart-coverage"));
  var layout = axisFor(coverage.getWidth());
  coverage.setOption({
    tooltip: { trigger: "axis", valueFormatter: function (v) { return v.toFixed(2) + "%"; } },
    grid: layout.grid,
    xAxis: layout.axis,
    yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
    series: [{
      name: "投保率",
      type: "bar",
      data: data.coverage.map(function (value) {
        return { value: value, itemStyle: { color: value >= data.target ? "#2e7d32" : "#c62828" } };
      }),
      markLine: {
        symbol: "none",
        data: [{ yAxis: data.target, name: "目标" }],
        label: { formatter: "目标 {c}%" },
        lineStyle: { type: "dashed" }
      }
    }]
  });

  var money = echarts.init(document.getElementById("chart-money"));
  money.setOption({
    tooltip: { trigger: "axis" },
    legend: { data: ["保费", "赔付"], top: 0 },
    grid: axisFor(money.getWidth()).grid,
    xAxis: axisFor(money.getWidth()).axis,
    yAxis: { type: "value" },
    series: [
      { name: "保费", type: "bar", data: data.premium, itemStyle: { color: "#1565c0" } },
      { name: "赔付", type: "bar", data: data.paid, itemStyle: { color: "#ef6c00" } }
    ]
  });

  window.addEventListener("resize", function () {
    [coverage, money].forEach(function (chart) {
      chart.resize();
      var fitted = axisFor(chart.getWidth());
      chart.setOption({ grid: fitted.grid, xAxis: fitted.axis });
    });
  });
})();
