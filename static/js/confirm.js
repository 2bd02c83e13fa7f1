/* Forms that ask before they go: <form data-confirm="Reopen DAG28-01?">. Replaces inline
   onsubmit attributes, which the Content-Security-Policy (no inline script) refuses. */
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  }, true);
})();
