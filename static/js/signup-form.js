/* The newsletter sign-up form on cached pages (home, newsletter pages). The cached HTML holds no
   CSRF token and no form stamp (they belong to one visitor): the form asks for fresh ones when the
   visitor starts filling it in, and before it is sent. */
(function () {
  "use strict";

  function fetchTokens(form) {
    if (!form.signupTokens) {
      form.signupTokens = fetch(form.dataset.freshTokens, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        cache: "no-store",
      })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("sign-up tokens: HTTP " + response.status);
          }
          return response.json();
        })
        .then(function (data) {
          form.querySelector('input[name="csrfmiddlewaretoken"]').value = data.csrf;
          form.querySelector('input[name="stamp"]').value = data.stamp;
        });
      form.signupTokens.catch(function () {
        form.signupTokens = null;
      });
    }
    return form.signupTokens;
  }

  document.querySelectorAll("form[data-fresh-tokens]").forEach(function (form) {
    form.addEventListener(
      "focusin",
      function () {
        fetchTokens(form);
      },
      { once: true }
    );
    form.addEventListener("submit", function (event) {
      if (form.dataset.tokensReady === "1") {
        return;
      }
      event.preventDefault();
      fetchTokens(form).then(
        function () {
          form.dataset.tokensReady = "1";
          HTMLFormElement.prototype.submit.call(form);
        },
        function () {
          // No tokens (offline, blocked): the sign-up page has its own, uncached form.
          window.location.href = form.action;
        }
      );
    });
  });
})();
