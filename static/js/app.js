/* Small enhancements of the server-rendered pages; every page works without them.
   htmx itself comes from the django-htmx package ({% htmx_script %} in base.html). */
(function () {
  "use strict";

  // After htmx replaces part of a page, move focus to the record just added or saved (so
  // keyboard and screen-reader users land on it), or to the first invalid field.
  document.addEventListener("htmx:afterSettle", function (event) {
    var root = event.detail.elt || document;
    var scope = root.isConnected ? root : document;
    var invalid = scope.querySelector("[aria-invalid='true']");
    var target = invalid || document.querySelector("[data-just-added]");
    if (target) {
      if (!target.hasAttribute("tabindex") && !invalid) target.setAttribute("tabindex", "-1");
      target.focus({ preventScroll: true });
      target.scrollIntoView({ block: "center", behavior: "auto" });
      target.removeAttribute("data-just-added");
    }
  });

  // A failed request must not fail silently.
  document.addEventListener("htmx:responseError", function (event) {
    var box = document.getElementById("messages");
    if (!box) return;
    var status = event.detail.xhr ? event.detail.xhr.status : "";
    var text = status === 403
      ? "You do not have permission to do that."
      : "Something went wrong (" + status + "). Your change may not have been saved; reload the page.";
    box.innerHTML = "";
    var item = document.createElement("li");
    item.className = "error";
    item.textContent = text;
    box.appendChild(item);
  });

  // Opening an inline form puts the cursor in its first field.
  document.addEventListener("toggle", function (event) {
    var details = event.target;
    if (!(details instanceof HTMLDetailsElement) || !details.open) return;
    if (!details.classList.contains("disclosure")) return;
    var field = details.querySelector(".panel input:not([type=hidden]), .panel textarea, .panel select");
    if (field) field.focus();
  }, true);
})();
