// The form-js viewer as every page that shows a form opens it (e-service steps, tasks on My
// pages, staff tasks), with two changes to the library's defaults:
//
// 1. What is typed reaches the form's data at once. form-js passes typing on to its data 300 ms
//    late, while the field shows its value from that data: any other change inside that time
//    (a number field's own late update after leaving it, a picked file, a condition) renders the
//    form again from the data and puts the field back to what it held before, and the late
//    update then reads the reset field. Typing right after a number field lost its first
//    letters, fast typing or picking a file lost all of it. With `debounce: false` the data is
//    never behind the field, so rendering again cannot take anything back.
//
// 2. Values inserted into a text view are text. A text view's `{{ }}` templates (or a text
//    given as a FEEL `=` expression) are filled in before the markdown is rendered, so a value
//    such as a citizen's name could bring its own links, images or headings into an officer's
//    form (form-js escapes the values of its HTML view, not of its text view). Here every value
//    is escaped for markdown and HTML before rendering; the author's own markdown stays.
(function () {
  "use strict";

  // ASCII punctuation is all that markdown and HTML are made of; as numeric character
  // references it is shown as itself and starts nothing (no tag, link, autolink, emphasis,
  // heading, list or table). Line breaks become <br>, so a value never starts a line of its own.
  function markdownText(value) {
    if (value === null || value === undefined) { return value; }
    return String(value)
      .replace(/[!-\/:-@\[-`{-~]/g, function (mark) { return "&#" + mark.charCodeAt(0) + ";"; })
      .replace(/^[ \t]+/, function (space) { return space.replace(/\t/g, "&#9;").replace(/ /g, "&#32;"); })
      .replace(/\r\n?|\n/g, "<br>");
  }

  // Registers a text view that renders form-js's own, with the values its template inserts
  // escaped by markdownText. A sanitiser the caller passes (the HTML view's) is kept.
  function TextValuesAsText(formFields, templating, library) {
    var evaluate = templating.evaluate.bind(templating);
    var inTextView = false;
    templating.evaluate = function (template, context, options) {
      if (inTextView && !(options && options.sanitizer)) {
        options = Object.assign({}, options, { sanitizer: markdownText });
      }
      return evaluate(template, context, options);
    };
    var Text = library.Text;
    // form-js's Text evaluates its template while it renders, so the flag covers exactly that.
    function TextView(props) {
      inTextView = true;
      try {
        return Text(props);
      } finally {
        inTextView = false;
      }
    }
    TextView.config = Text.config;
    formFields.register(Text.config.type, TextView);
  }

  // Opens a viewer in container. `library` is form-js's viewer (the global FormViewer on the
  // portal's pages, the bundled module in the studio).
  function create(container, library) {
    library = library || window.FormViewer;
    function textValuesAsText(formFields, templating) {
      TextValuesAsText(formFields, templating, library);
    }
    textValuesAsText.$inject = ["formFields", "templating"];
    return new library.Form({
      container: container,
      debounce: false,
      additionalModules: [{
        __init__: ["verkaTextValuesAsText"],
        verkaTextValuesAsText: ["type", textValuesAsText]
      }]
    });
  }

  window.VerkaFormViewer = { create: create, markdownText: markdownText };
}());
