// Type-ahead: ask /search/suggest/ as the visitor types; the list links straight to the result.
(function () {
    var input = document.getElementById("search-q");
    var list = document.getElementById("search-suggestions");
    if (!input || !list || !window.fetch) return;
    var timer = null;
    input.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(function () {
            var q = input.value.trim();
            if (q.length < 2) { list.hidden = true; list.textContent = ""; return; }
            fetch(input.dataset.suggestUrl + "?q=" + encodeURIComponent(q))
                .then(function (r) { return r.json(); })
                .then(function (data) {
                    list.textContent = "";
                    data.suggestions.forEach(function (s) {
                        var li = document.createElement("li");
                        li.setAttribute("role", "option");
                        var a = document.createElement("a");
                        a.textContent = s.title;
                        a.href = s.url || ("?q=" + encodeURIComponent(s.title));
                        li.appendChild(a);
                        list.appendChild(li);
                    });
                    list.hidden = data.suggestions.length === 0;
                })
                .catch(function () { list.hidden = true; });
        }, 150);
    });
})();
