// The "Publicera och skicka…" dialog on the issue editor, for keyboard and phone users too:
// - opening it closes the action menu it came from (on a phone that menu otherwise stays on top
//   of the dialog and hides its buttons);
// - closing it (Escape, the close button, the overlay) puts the focus back on the action menu's
//   toggle, where the sender was, not on the page's body;
// - Wagtail's calendar inside it gets names for its icon-only buttons (in Swedish, from the page);
// - after a refused submission the dialog opens again with the sender's input and the reason.
(function () {
  "use strict";

  function isVisible(el) {
    return !!(el && el.getClientRects().length && !el.closest("[hidden]"));
  }

  function labelPicker(dialog, content) {
    var labels = {
      ".xdsoft_datepicker .xdsoft_prev": content.getAttribute("data-label-prev-month"),
      ".xdsoft_datepicker .xdsoft_next": content.getAttribute("data-label-next-month"),
      ".xdsoft_today_button": content.getAttribute("data-label-today"),
      ".xdsoft_timepicker .xdsoft_prev": content.getAttribute("data-label-earlier-times"),
      ".xdsoft_timepicker .xdsoft_next": content.getAttribute("data-label-later-times"),
    };
    Object.keys(labels).forEach(function (selector) {
      dialog.querySelectorAll(selector).forEach(function (button) {
        if (labels[selector] && !button.hasAttribute("aria-label")) {
          button.setAttribute("aria-label", labels[selector]);
        }
      });
    });
  }

  var returnTo = null;

  // The menu item lives in the action menu's dropdown, moved around by it: listen on the document.
  document.addEventListener("click", function (event) {
    var opener = event.target.closest && event.target.closest("[data-publish-send-open]");
    if (!opener) return;
    var menu = opener.closest("[data-controller~='w-dropdown']");
    var toggle = menu && menu.querySelector("[data-w-dropdown-target='toggle']");
    if (!toggle) toggle = document.querySelector("footer [data-w-dropdown-target='toggle']");
    returnTo = toggle || null;
    if (toggle && toggle._tippy) toggle._tippy.hide();
  });

  function restoreFocus() {
    var opener = document.querySelector("[data-publish-send-open]");
    var target = isVisible(returnTo) ? returnTo : isVisible(opener) ? opener : null;
    if (!target) target = document.querySelector("footer [data-w-dropdown-target='toggle']");
    if (target && isVisible(target)) target.focus();
  }

  function setUp(dialog) {
    var content = dialog.querySelector("[data-publish-send]");
    function isOpen() {
      return !dialog.hasAttribute("hidden") && dialog.getAttribute("aria-hidden") !== "true";
    }
    var wasOpen = isOpen();
    new MutationObserver(function () {
      var open = isOpen();
      if (wasOpen && !open) window.setTimeout(restoreFocus, 0);
      wasOpen = open;
    }).observe(dialog, { attributes: true, attributeFilter: ["hidden", "aria-hidden"] });
    if (!content) return;
    // The calendar is drawn when the time field is first used: name its buttons then.
    new MutationObserver(function () {
      labelPicker(dialog, content);
    }).observe(dialog, { childList: true, subtree: true });
    labelPicker(dialog, content);
    if (content.hasAttribute("data-publish-send-reopen")) {
      dialog.dispatchEvent(new Event("w-dialog:show"));
      window.setTimeout(function () {
        var error = dialog.querySelector("[data-publish-send-error]");
        if (error && error.scrollIntoView) error.scrollIntoView({ block: "center" });
      }, 100);
    }
  }

  // Wagtail's {% dialog %} is put in place (teleported) when its controller connects, which may
  // be after this script has run: wait for it (a few seconds at most).
  function start(tries) {
    var dialog = document.getElementById("publish-send-dialog");
    if (dialog && dialog.getAttribute("data-controller") === "w-dialog") {
      window.setTimeout(function () {
        setUp(dialog);
      }, 0);
    } else if (tries < 100 && document.querySelector("[data-publish-send-open]")) {
      window.setTimeout(function () {
        start(tries + 1);
      }, 50);
    }
  }

  function begin() {
    start(0);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", begin);
  else begin();
})();
