// The case's process diagram (bpmn-js viewer): the elements the case is in now, the ones it
// has passed and the sequence flows it took are marked. The list of steps on the page says the
// same in text, so the diagram is an addition, never the only way to know where a case is.
(function () {
  "use strict";

  var container = document.getElementById("diagram");
  var source = document.getElementById("diagram-data");
  if (!container || !source || !window.BpmnJS) {
    return;
  }
  var data = JSON.parse(source.textContent);
  var viewer = new BpmnJS({ container: container });

  viewer.importXML(data.xml).then(function () {
    var canvas = viewer.get("canvas");
    var registry = viewer.get("elementRegistry");
    function mark(ids, marker) {
      (ids || []).forEach(function (id) {
        if (registry.get(id)) { canvas.addMarker(id, marker); }
      });
    }
    mark(data.completed, "verka-done");
    mark(data.flows, "verka-taken");
    mark(data.active, "verka-active");
    mark(data.incidents, "verka-incident");
    canvas.zoom("fit-viewport");
    // The drawing is one image to assistive technology; the list of steps is its text.
    var svg = container.querySelector("svg");
    if (svg) {
      svg.setAttribute("role", "img");
      svg.setAttribute("aria-label", container.dataset.label || "");
    }
    container.classList.add("is-ready");
  }).catch(function () {
    container.hidden = true;
  });
}());
