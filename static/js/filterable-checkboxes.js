// A search box above a long checkbox list (home/widgets.py FilterableCheckboxSelectMultiple):
// typing hides the boxes whose label does not match (ignoring case and accents), a status line
// says how many are shown, and the chosen ones are listed so hidden choices are not forgotten.
(function () {
  "use strict";

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();
  }

  function setUp(root) {
    if (root.dataset.filterReady) return;
    root.dataset.filterReady = "1";
    var controls = root.querySelector("[data-filter-controls]");
    var input = root.querySelector("[data-filter-input]");
    var status = root.querySelector("[data-filter-status]");
    var chosen = root.querySelector("[data-filter-chosen]");
    var boxes = Array.prototype.slice.call(root.querySelectorAll("input[type=checkbox]"));
    var items = boxes.map(function (box) {
      var label = box.closest("label") || root.querySelector("label[for='" + box.id + "']");
      var row = box.closest("li") || box.closest("div") || label;
      var text = label ? label.textContent : box.value;
      return { box: box, row: row, text: text.trim(), key: fold(text) };
    });
    controls.hidden = false;

    function showCount(shown) {
      status.textContent = root.dataset.templateShown
        .replace("__shown__", shown)
        .replace("__total__", items.length)
        .replace("__noun__", root.dataset.noun);
    }

    function showChosen() {
      var names = items.filter(function (i) { return i.box.checked; }).map(function (i) { return i.text; });
      chosen.textContent = names.length
        ? root.dataset.templateChosen + " " + names.join(", ")
        : root.dataset.templateNone;
    }

    function filter() {
      var query = fold(input.value);
      var shown = 0;
      items.forEach(function (item) {
        var match = !query || item.key.indexOf(query) !== -1;
        item.row.hidden = !match;
        if (match) shown += 1;
      });
      showCount(shown);
    }

    input.addEventListener("input", filter);
    // Enter in the search box would submit the whole page form.
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") event.preventDefault();
    });
    root.addEventListener("change", function (event) {
      if (event.target.type === "checkbox") showChosen();
    });
    filter();
    showChosen();
  }

  function setUpAll() {
    document.querySelectorAll("[data-filterable-choices]").forEach(setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUpAll);
  } else {
    setUpAll();
  }
})();
