/* One-click confirmation: the link's GET page posts its own form as soon as a person's browser
   shows it. Mail scanners that prefetch links do not run scripts, so they only see the page (the
   GET changes nothing); the button stays as the fallback without JavaScript. */
(function () {
  "use strict";
  function submit() {
    var form = document.querySelector("form[data-auto-submit]");
    if (!form || form.dataset.submitted) return;
    form.dataset.submitted = "1";
    var button = form.querySelector("button");
    if (button) button.disabled = true;
    form.submit();
  }
  function whenVisible() {
    if (document.visibilityState === "visible") { submit(); return; }
    document.addEventListener("visibilitychange", function onChange() {
      if (document.visibilityState === "visible") {
        document.removeEventListener("visibilitychange", onChange);
        submit();
      }
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", whenVisible);
  else whenVisible();
})();
