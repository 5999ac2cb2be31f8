// An issue whose checklist has warnings: Publish (from any tab of the editor) first asks "Have you
// seen the warnings?" in Wagtail's dialog, listing them; confirming ticks "I have seen the
// warnings" in the checklist panel and publishes. When the server sent the editor back (warnings
// that appeared with unsaved edits), the dialog opens again on the fresh list.
(function () {
  "use strict";
  var pending = null; // the Publish button that was clicked

  function acknowledgement(form) {
    return form ? form.querySelector("[data-acknowledge-warnings]") : null;
  }

  function dialog() {
    return document.getElementById("publish-warnings-dialog");
  }

  function show() {
    var box = dialog();
    if (!box) return false;
    box.dispatchEvent(new CustomEvent("w-dialog:show"));
    return true;
  }

  document.addEventListener(
    "click",
    function (event) {
      var button = event.target.closest('button[name="action-publish"]');
      if (!button) return;
      var tick = acknowledgement(button.form);
      if (!tick || tick.checked || !dialog()) return;
      // Before Wagtail's own handlers (the button's spinner): nothing is submitted yet.
      event.preventDefault();
      event.stopImmediatePropagation();
      pending = button;
      show();
    },
    true,
  );

  document.addEventListener("click", function (event) {
    if (!event.target.closest("[data-publish-warnings-confirm]")) return;
    var button = pending || document.querySelector('form button[name="action-publish"]');
    if (!button) return;
    var tick = acknowledgement(button.form);
    if (tick) tick.checked = true;
    dialog().dispatchEvent(new CustomEvent("w-dialog:hide"));
    event.target.closest("[data-publish-warnings-confirm]").disabled = true;
    button.form.requestSubmit(button);
  });

  function start() {
    if (!document.querySelector("[data-publish-warnings-refused]")) return;
    // The dialog is teleported to the body once Wagtail's controllers connect; its own
    // controller connects just after (hence one more turn before showing it).
    var tries = 0;
    (function open() {
      tries += 1;
      if (dialog()) window.setTimeout(show, 50);
      else if (tries < 100) window.setTimeout(open, 100);
    })();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
