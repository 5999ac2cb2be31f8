// In the issue editor: when a lead story or teaser has an article chosen, its empty fields show
// the article's values as placeholders, and a line under the chooser says what the article
// fills in (title, summary, image). Nothing is copied: the issue keeps following the article.
(function () {
  "use strict";

  var script = document.currentScript;
  var config = script ? script.dataset : {};
  var cache = {};

  function articleInputs(root) {
    return (root || document).querySelectorAll("input[type=hidden][name$='-value-article']");
  }

  function fetchArticle(id) {
    if (!cache[id]) {
      var url = config.fillUrl.replace(/\/0\/fill\/$/, "/" + id + "/fill/");
      cache[id] = fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .catch(function () { return null; });
    }
    return cache[id];
  }

  function field(prefix, name) {
    return document.querySelector("[name='" + prefix + name + "']");
  }

  function hintFor(input) {
    var chooser = input.closest("[data-chooser]") || input.parentElement;
    var hint = chooser.parentElement.querySelector(":scope > .issue-article-fill");
    if (!hint) {
      hint = document.createElement("p");
      hint.className = "issue-article-fill help";
      hint.setAttribute("aria-live", "polite");
      chooser.insertAdjacentElement("afterend", hint);
    }
    return hint;
  }

  function show(input) {
    var prefix = input.name.replace(/article$/, "");
    var heading = field(prefix, "heading");
    var summary = field(prefix, "summary");
    var hint = hintFor(input);
    if (!input.value) {
      if (heading) heading.placeholder = "";
      if (summary) summary.placeholder = "";
      hint.textContent = "";
      return;
    }
    fetchArticle(input.value).then(function (article) {
      if (!article) return;
      if (heading) heading.placeholder = article.title;
      if (summary) summary.placeholder = article.summary;
      var parts = [config.title + ": “" + article.title + "”"];
      if (article.summary) parts.push(config.summary + ": “" + article.summary + "”");
      if (article.image) parts.push(config.image + ": “" + article.image + "”");
      hint.textContent = config.intro + " " + parts.join("; ") + ".";
    });
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("input[type=hidden][name$='-value-article']")) show(target);
  });

  // The stream's blocks are drawn after load (and when added): look at new article choosers.
  var seen = new WeakSet();
  function scan() {
    articleInputs().forEach(function (input) {
      if (!seen.has(input)) {
        seen.add(input);
        if (input.value) show(input);
      }
    });
  }
  new MutationObserver(scan).observe(document.body, { childList: true, subtree: true });
  scan();
})();
