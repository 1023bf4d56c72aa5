// Confirmation before irreversible steps: any form with data-confirm asks first.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

// A checkbox with data-check-all="<name>" ticks or clears every checkbox of that name.
document.addEventListener("change", function (event) {
  var name = event.target.getAttribute && event.target.getAttribute("data-check-all");
  if (!name) {
    return;
  }
  document.querySelectorAll('input[type="checkbox"][name="' + name + '"]').forEach(function (box) {
    box.checked = event.target.checked;
  });
});

// A long area picker (a select marked data-hm-search: 「乡镇 / 村」 of some 300 villages) gets a
// search box: Tom Select (static/vendor/tom-select). Short ones stay plain selects.
(function () {
  var LONG = 15;
  function searchable(root) {
    if (typeof TomSelect === "undefined") {
      return;
    }
    root.querySelectorAll("select[data-hm-search]").forEach(function (select) {
      if (select.tomselect || select.options.length <= LONG) {
        return;
      }
      new TomSelect(select, {
        allowEmptyOption: true,
        maxOptions: null,
        // Search at each key, not 300 ms later: a pick made within the delay was followed by
        // the late search with the box emptied, which reopened the whole list over the page.
        refreshThrottle: 0,
        searchField: ["text"],
        render: {
          no_results: function () {
            return '<div class="no-results">没有找到匹配的区域</div>';
          }
        }
      });
    });
  }
  searchable(document);
})();
