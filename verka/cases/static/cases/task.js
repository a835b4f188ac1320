// Answering a task on My pages: renders the task's form with the form-js viewer, opened with the
// case variables the form refers to, uploads picked files, and sends the answers. The server
// validates them again with the same rules (verka/engine/forms) before the task is completed.
(function () {
  "use strict";

  var formElement = document.getElementById("task-form");
  var container = document.getElementById("form-container");
  if (!formElement || !container || !window.FormViewer || !window.VerkaFormViewer || !window.VerkaFormUploads) {
    return;
  }
  var schema = JSON.parse(document.getElementById("task-schema").textContent);
  var data = JSON.parse(document.getElementById("task-data").textContent) || {};
  var hidden = document.getElementById("answers");
  var status = document.getElementById("task-status");
  var csrf = formElement.querySelector("input[name=csrfmiddlewaretoken]").value;
  // Swedish for the viewer's own texts (on Swedish pages).
  if (window.VerkaFormTexts) { window.VerkaFormTexts.start(container); }
  var viewer = window.VerkaFormViewer.create(container);
  var sending = false;

  function say(text) {
    if (status) { status.textContent = text; }
  }

  function uploadFiles(data, files) {
    return window.VerkaFormUploads.uploadFiles(data, files, formElement.dataset.uploadUrl, csrf);
  }

  viewer.importSchema(schema, data).then(function () {
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
  });

  formElement.addEventListener("submit", function (event) {
    event.preventDefault();
    if (sending) { return; }
    var result = viewer.submit();
    if (Object.keys(result.errors || {}).length) {
      var first = container.querySelector("[aria-invalid=true], .fjs-has-errors input, .fjs-has-errors select, .fjs-has-errors textarea");
      if (first && first.focus) { first.focus(); }
      return;
    }
    sending = true;
    say(formElement.dataset.sendingText);
    uploadFiles(result.data || {}, result.files).then(function (answers) {
      hidden.value = JSON.stringify(answers);
      formElement.submit();
    }).catch(function (error) {
      sending = false;
      say(formElement.dataset.uploadFailedText + ": " + error.message);
    });
  });
}());
