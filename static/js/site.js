/* Progressive enhancement only: every control below also works as a plain link. */
(function () {
  "use strict";
  var root = document.documentElement;
  function setCookie(name, value) {
    document.cookie = name + "=" + value + ";path=/;max-age=31536000;samesite=lax" + (location.protocol === "https:" ? ";secure" : "");
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-font], a[data-contrast]");
    if (!link) { return; }
    event.preventDefault();
    if (link.dataset.font) {
      root.classList.remove("font-small", "font-medium", "font-large");
      root.classList.add("font-" + link.dataset.font);
      setCookie("xxgk_font", link.dataset.font);
      document.querySelectorAll("a[data-font]").forEach(function (a) {
        if (a === link) { a.setAttribute("aria-current", "true"); } else { a.removeAttribute("aria-current"); }
      });
    } else {
      var on = link.dataset.contrast === "on";
      root.classList.toggle("contrast", on);
      setCookie("xxgk_contrast", on ? "on" : "off");
      link.dataset.contrast = on ? "off" : "on";
      link.setAttribute("aria-pressed", on ? "true" : "false");
      link.textContent = on ? "高对比度：开" : "高对比度：关";
    }
  });
  // Move focus to an error summary so screen readers announce it.
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
})();
