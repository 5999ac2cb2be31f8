// The recipients chooser: a search box that narrows the select's options to the segments and
// tags whose name matches. Without JavaScript the box stays hidden and the select works as it is.
(function () {
  function setUp(root) {
    var box = root.querySelector("[data-segment-search-box]");
    var search = root.querySelector("[data-segment-search]");
    var select = root.querySelector("select[data-segment-select]");
    var none = root.querySelector("[data-segment-none]");
    if (!box || !search || !select || root.dataset.ready) return;
    root.dataset.ready = "1";
    box.hidden = false;
    search.addEventListener("input", function () {
      var needle = search.value.trim().toLocaleLowerCase("sv");
      var shown = 0;
      Array.prototype.forEach.call(select.options, function (option) {
        // The chosen option and "the whole audience" always stay.
        var keep = !needle || option.selected || option.value === "" ||
          option.text.toLocaleLowerCase("sv").indexOf(needle) !== -1;
        option.hidden = !keep;
        if (keep && option.value !== "" && !option.selected) shown += 1;
      });
      if (none) none.hidden = !needle || shown > 0;
    });
  }
  function all() {
    document.querySelectorAll("[data-segment-chooser]").forEach(setUp);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", all);
  } else {
    all();
  }
})();
