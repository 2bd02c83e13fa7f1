/* The discussion editor: a small rich-text editor (pell, vendored in static/vendor/pell)
   over each <textarea data-rich-editor>. The textarea stays the form's field: the editor
   writes its HTML back on every change, and the server keeps only what the report prints
   (core.text.discussion_text_clean). Without JavaScript the textarea is used as it is. */
(function () {
  "use strict";

  // Icons are text: the emoji pell uses for links is missing from many fonts.
  var ACTIONS = [
    { name: "bold", icon: "<b>B</b>", title: "Bold (Ctrl+B)" },
    { name: "italic", icon: "<i>I</i>", title: "Italic (Ctrl+I)" },
    { name: "underline", icon: "<u>U</u>", title: "Underline (Ctrl+U)" },
    { name: "ulist", icon: "&#8226; List", title: "Bulleted list" },
    { name: "olist", icon: "1. List", title: "Numbered list" },
    { name: "link", icon: "Link", title: "Link (web or email address)" }
  ];

  function enhance(textarea) {
    if (textarea.dataset.richEditorReady || !window.pell) return;
    textarea.dataset.richEditorReady = "1";
    var holder = document.createElement("div");
    holder.className = "rich-editor";
    textarea.parentNode.insertBefore(holder, textarea);
    var editor = window.pell.init({
      element: holder,
      defaultParagraphSeparator: "p",
      actions: ACTIONS,
      onChange: function (html) {
        textarea.value = html;
      }
    });
    var content = editor.content;
    content.innerHTML = textarea.value;
    content.setAttribute("role", "textbox");
    content.setAttribute("aria-multiline", "true");
    var label = textarea.id && document.querySelector("label[for='" + textarea.id + "']");
    if (label) {
      if (!label.id) label.id = textarea.id + "-label";
      content.setAttribute("aria-labelledby", label.id);
      // The label's click goes to the editor, as it would to the field.
      label.addEventListener("click", function () { content.focus(); });
    }
    var described = textarea.getAttribute("aria-describedby");
    if (described) content.setAttribute("aria-describedby", described);
    if (textarea.getAttribute("aria-invalid") === "true") content.setAttribute("aria-invalid", "true");
    var bar = holder.querySelector(".pell-actionbar");
    if (bar) {
      bar.setAttribute("role", "toolbar");
      bar.setAttribute("aria-label", "Formatting");
      bar.querySelectorAll("button").forEach(function (button) {
        button.setAttribute("aria-label", button.title);
      });
    }
    textarea.classList.add("rich-editor-source");
    textarea.setAttribute("aria-hidden", "true");
    textarea.tabIndex = -1;
  }

  function enhanceAll(root) {
    (root || document).querySelectorAll("textarea[data-rich-editor]").forEach(enhance);
  }

  document.addEventListener("DOMContentLoaded", function () { enhanceAll(document); });
  // Forms fetched into the page (htmx) get their editor too.
  document.addEventListener("htmx:load", function (event) { enhanceAll(event.target); });
})();
