/* Progressive enhancement only: every control below also works without JavaScript
   (the 字体 links and the 高对比度 form go through /display/, which sets the cookie). */
(function () {
  "use strict";
  var root = document.documentElement;
  function setCookie(name, value) {
    document.cookie = name + "=" + value + ";path=/;max-age=31536000;samesite=lax" + (location.protocol === "https:" ? ";secure" : "");
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-font]");
    if (link) {
      event.preventDefault();
      root.classList.remove("font-small", "font-medium", "font-large");
      root.classList.add("font-" + link.dataset.font);
      setCookie("xxgk_font", link.dataset.font);
      document.querySelectorAll("a[data-font]").forEach(function (a) {
        if (a === link) { a.setAttribute("aria-current", "true"); } else { a.removeAttribute("aria-current"); }
      });
      return;
    }
    var button = event.target.closest("button[data-contrast]");
    if (button) {
      event.preventDefault();
      var on = button.getAttribute("aria-pressed") !== "true";
      root.classList.toggle("contrast", on);
      setCookie("xxgk_contrast", on ? "on" : "off");
      button.setAttribute("aria-pressed", on ? "true" : "false");
      button.querySelector(".contrast-state").textContent = on ? "：开" : "：关";
      button.form.elements.contrast.value = on ? "off" : "on";
    }
  });
  // 打印本页 buttons are hidden until this script can make them work.
  document.querySelectorAll("button[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
  // Move focus to an error summary (or the answer a form page came back with, such as
  // 重新发送查询码's) so screen readers announce it after the page reloads.
  var summary = document.getElementById("error-summary") || document.getElementById("sent-message");
  if (summary) { summary.focus(); }
})();
