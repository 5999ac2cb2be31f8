/* Search type-ahead as an ARIA 1.2 combobox: the input (role=combobox) controls a listbox of
   suggestions from /search/suggest/; arrow keys move the active option (aria-activedescendant),
   Enter opens it, Escape closes the list. No inline script or style (Content-Security-Policy). */
(function () {
  "use strict";
  var input = document.getElementById("search-q");
  var list = document.getElementById("search-suggestions");
  var status = document.getElementById("search-suggestions-status");
  if (!input || !list || !window.fetch) return;
  var timer = null;
  var active = -1;
  var items = [];
  var request = 0;

  function options() { return list.querySelectorAll("[role=option]"); }

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function setActive(index) {
    var opts = options();
    if (!opts.length) return;
    active = (index + opts.length) % opts.length;
    for (var i = 0; i < opts.length; i++) opts[i].setAttribute("aria-selected", i === active ? "true" : "false");
    input.setAttribute("aria-activedescendant", opts[active].id);
    opts[active].scrollIntoView({ block: "nearest" });
  }

  function go(index) {
    var item = items[index];
    if (!item) return;
    window.location.href = item.url || (input.form.action + "?q=" + encodeURIComponent(item.title));
  }

  function render(suggestions) {
    items = suggestions;
    list.textContent = "";
    suggestions.forEach(function (s, i) {
      var li = document.createElement("li");
      li.id = "search-suggestion-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.className = "search-suggestions__option";
      li.textContent = s.title;
      li.addEventListener("mousedown", function (event) { event.preventDefault(); go(i); });
      list.appendChild(li);
    });
    active = -1;
    input.removeAttribute("aria-activedescendant");
    var open = suggestions.length > 0;
    list.hidden = !open;
    input.setAttribute("aria-expanded", open ? "true" : "false");
    if (status) {
      status.textContent = open ? (list.dataset.countLabel || "").replace("%s", suggestions.length) : "";
    }
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var q = input.value.trim();
      if (q.length < 2) { render([]); return; }
      var mine = ++request;
      fetch(input.dataset.suggestUrl + "?q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (data) { if (mine === request) render(data.suggestions || []); })
        .catch(function () { close(); });
    }, 150);
  });

  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown") {
      if (list.hidden && items.length) { list.hidden = false; input.setAttribute("aria-expanded", "true"); }
      setActive(active + 1); event.preventDefault();
    } else if (event.key === "ArrowUp") {
      setActive(active - 1); event.preventDefault();
    } else if (event.key === "Enter" && !list.hidden && active >= 0) {
      event.preventDefault(); go(active);
    } else if (event.key === "Escape" && !list.hidden) {
      close(); event.preventDefault();
    }
  });
  input.addEventListener("blur", function () { setTimeout(close, 100); });
})();
