/* 依申请公开: small enhancements only. Every page works without this file. */
(function () {
  "use strict";

  // Application form: show only the fields of the chosen applicant type.
  var form = document.querySelector("form[data-applicant-form]");
  if (form) {
    var radios = form.querySelectorAll("input[name='applicant_type']");
    var groups = form.querySelectorAll("[data-applicant-group]");
    var update = function () {
      var chosen = "citizen";
      radios.forEach(function (r) { if (r.checked) { chosen = r.value; } });
      groups.forEach(function (g) {
        var show = g.getAttribute("data-applicant-group") === chosen;
        g.hidden = !show;
        g.querySelectorAll("input, select, textarea").forEach(function (el) { el.disabled = !show; });
      });
    };
    radios.forEach(function (r) { r.addEventListener("change", update); });
    update();
  }

  // Character counters for long text fields: <textarea maxlength> gets a live count.
  document.querySelectorAll("textarea[maxlength]").forEach(function (area) {
    var max = parseInt(area.getAttribute("maxlength"), 10);
    if (!max) { return; }
    var out = document.createElement("p");
    out.className = "help char-count";
    out.setAttribute("aria-live", "polite");
    var render = function () { out.textContent = "已输入 " + area.value.length + " / " + max + " 字"; };
    area.insertAdjacentElement("afterend", out);
    area.addEventListener("input", render);
    render();
  });

  // Print buttons (data-print) are shown and wired by site.js, on every page.
})();
