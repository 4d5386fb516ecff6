// skillcert score sheet: keeps the section subtotals and the running total up to date as
// the judge taps, and asks before submitting (the sheet will be locked; unmarked items are
// listed). Without this script the page still works: the server computes the totals on
// save and shows its own confirmation before submitting.
(function () {
  "use strict";
  var form = document.getElementById("sheet");
  if (!form) { return; }

  function items() { return form.querySelectorAll("[data-item]"); }

  function valueOf(item) {
    var picked = item.querySelector("input[type=radio]:checked");
    return picked ? picked.value : null;
  }

  function update() {
    var running = 0;
    form.querySelectorAll("[data-section]").forEach(function (section) {
      var sub = 0;
      section.querySelectorAll("[data-item]").forEach(function (item) {
        var v = valueOf(item);
        var shown = item.querySelector(".shown");
        if (v === null) {
          if (shown) { shown.textContent = ""; }
          return;
        }
        if (v !== "na") { sub += parseInt(v, 10) || 0; }
        if (shown) {
          var label = item.querySelector("input[type=radio]:checked + span");
          shown.textContent = label ? label.textContent : v;
        }
        item.querySelectorAll(".band").forEach(function (band) {
          band.classList.toggle("chosen", !!band.querySelector("input:checked"));
        });
        item.classList.remove("has-error");
      });
      var el = section.querySelector(".js-subtotal");
      if (el) { el.textContent = String(sub); }
      running += sub;
    });
    var total = document.getElementById("running-total");
    if (total) { total.textContent = String(running); }
    // The server's total out of 100 is stale once a mark changes.
    var exact = document.getElementById("sheet-total");
    if (exact && form.getAttribute("data-touched")) { exact.textContent = "…"; }
  }

  function unmarked() {
    var names = [];
    items().forEach(function (item) {
      if (valueOf(item) === null) { names.push(item.getAttribute("data-name")); }
    });
    return names;
  }

  form.addEventListener("change", function (ev) {
    if (ev.target && ev.target.type === "radio") {
      form.setAttribute("data-touched", "1");
      update();
    }
  });

  form.addEventListener("submit", function (ev) {
    var by = ev.submitter;
    if (!by || by.getAttribute("data-asks") !== "1") { return; }
    var missing = unmarked();
    var msg = form.getAttribute("data-confirm") + "\n\n" + (missing.length
      ? form.getAttribute("data-unmarked") + "\n- " + missing.join("\n- ")
      : form.getAttribute("data-all-marked"));
    if (!window.confirm(msg)) {
      ev.preventDefault();
      return;
    }
    var confirmed = document.createElement("input");
    confirmed.type = "hidden";
    confirmed.name = "confirm";
    confirmed.value = "1";
    form.appendChild(confirmed);
  });

  update();
})();
