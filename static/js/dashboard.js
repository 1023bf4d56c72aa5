// Dashboard charts (Apache ECharts, vendored): coverage rate against the 90 % target, and
// premium against claims paid. The numbers come from the page's json_script block.
(function () {
  var source = document.getElementById("dashboard-data");
  if (!source || typeof echarts === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var axis = {
    type: "category",
    data: data.names,
    axisLabel: { interval: 0, rotate: data.names.length > 8 ? 45 : 0 }
  };
  var grid = { left: 50, right: 70, top: 40, bottom: data.names.length > 8 ? 80 : 40 };

  var coverage = echarts.init(document.getElementById("chart-coverage"));
  coverage.setOption({
    tooltip: { trigger: "axis", valueFormatter: function (v) { return v.toFixed(2) + "%"; } },
    grid: grid,
    xAxis: axis,
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
    grid: grid,
    xAxis: axis,
    yAxis: { type: "value" },
    series: [
      { name: "保费", type: "bar", data: data.premium, itemStyle: { color: "#1565c0" } },
      { name: "赔付", type: "bar", data: data.paid, itemStyle: { color: "#ef6c00" } }
    ]
  });

  window.addEventListener("resize", function () {
    coverage.resize();
    money.resize();
  });
})();
