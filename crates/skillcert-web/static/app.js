// skillcert: small enhancements on top of pages that work without JavaScript.
(function () {
  "use strict";
  // Ask before destructive actions: <form data-confirm="message">.
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    var msg = form.getAttribute && form.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) {
      ev.preventDefault();
    }
  });
  // Submit filter selects as soon as they change.
  document.querySelectorAll("form.filters select").forEach(function (sel) {
    sel.addEventListener("change", function () { sel.form.submit(); });
  });
})();
