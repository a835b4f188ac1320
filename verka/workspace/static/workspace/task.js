// The task's form: the form-js viewer opened with the case's data. "Complete" sends the
// answers once the browser finds no error (the server checks again with the same rules);
// "Save draft" sends whatever is filled in.
(function () {
  "use strict";

  var formElement = document.getElementById("task-form");
  var container = document.getElementById("form-container");
  var hidden = document.getElementById("answers");
  if (!formElement || !container || !window.FormViewer || !window.VerkaFormViewer) {
    return;
  }
  var schema = JSON.parse(document.getElementById("task-schema").textContent);
  var data = JSON.parse(document.getElementById("task-data").textContent) || {};
  // Swedish for the viewer's own texts (on Swedish pages).
  if (window.VerkaFormTexts) { window.VerkaFormTexts.start(container); }
  var viewer = window.VerkaFormViewer.create(container);
  var sending = false;

  viewer.importSchema(schema, data).then(function () {
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
  });

  // Error links name form-js component ids; move focus to that field's input.
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("[data-field-id]") : null;
    if (!link) { return; }
    var field = container.querySelector("[id$='" + link.dataset.fieldId + "'], [name='" + link.dataset.fieldId + "']");
    if (field && field.focus) { event.preventDefault(); field.focus(); }
  });

  formElement.addEventListener("submit", function (event) {
    if (sending) { return; }
    event.preventDefault();
    var action = event.submitter ? event.submitter.value : "complete";
    var result;
    if (action === "draft" && viewer._getState) {
      // A draft keeps what is typed, valid or not, without showing errors yet.
      result = { data: viewer._getState().data, errors: {} };
    } else {
      result = viewer.submit();
    }
    if (action === "complete" && Object.keys(result.errors || {}).length) {
      var first = container.querySelector("[aria-invalid=true], .fjs-has-errors input, .fjs-has-errors select, .fjs-has-errors textarea");
      if (first && first.focus) { first.focus(); }
      return;
    }
    sending = true;
    hidden.value = JSON.stringify(result.data || {});
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = "action";
    input.value = action;
    formElement.appendChild(input);
    formElement.submit();
  });
}());
