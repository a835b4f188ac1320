// The DMN editor: dmn-js Modeler with the decision requirements diagram (DRD) and the decision
// table, literal expression and boxed expression editors. Findings are drawn on the DRD; rules and
// columns inside a decision table are outlined through a style sheet keyed on their ids, which
// survives the table's re-rendering.
import DmnModeler from 'dmn-js/lib/Modeler';

import 'dmn-js/dist/assets/diagram-js.css';
import 'dmn-js/dist/assets/dmn-js-shared.css';
import 'dmn-js/dist/assets/dmn-js-drd.css';
import 'dmn-js/dist/assets/dmn-js-decision-table.css';
import 'dmn-js/dist/assets/dmn-js-decision-table-controls.css';
import 'dmn-js/dist/assets/dmn-js-literal-expression.css';
import 'dmn-js/dist/assets/dmn-js-boxed-expression.css';
import 'dmn-js/dist/assets/dmn-js-boxed-expression-controls.css';
import 'dmn-js/dist/assets/dmn-font/css/dmn-embedded.css';

import { DiagramMarkers } from './markers.js';
import { labelCanvas, translateWith } from './bpmn.js';
import swedish from './translations-sv.js';
import { FindingStyles } from './styles.js';

// Which decision (DRG element) contains the element with this id: a rule, an input, an entry.
function ownerOf(definitions, id) {
  for (const element of definitions.drgElement || []) {
    if (element.id === id) {
      return element;
    }
    let found = false;
    const visit = (node, depth) => {
      if (found || !node || typeof node !== 'object' || depth > 8) {
        return;
      }
      if (node.id === id) {
        found = true;
        return;
      }
      for (const key of Object.keys(node)) {
        if (key.startsWith('$')) {
          continue;
        }
        const value = node[key];
        if (Array.isArray(value)) {
          value.forEach((item) => visit(item, depth + 1));
        } else if (value && typeof value === 'object' && value.$type) {
          visit(value, depth + 1);
        }
      }
    };
    visit(element.decisionLogic, 0);
    if (found) {
      return element;
    }
  }
  return null;
}

// The table shows rules as rows and inputs/outputs as columns; an input expression is drawn in
// its input's column header.
function tableId(definitions, id) {
  for (const element of (definitions && definitions.drgElement) || []) {
    const table = element.decisionLogic;
    for (const input of (table && table.input) || []) {
      if (input.inputExpression && input.inputExpression.id === id) {
        return input.id;
      }
    }
  }
  return id;
}

function cellSelectors(id) {
  const escaped = CSS.escape(id);
  return [
    `#studio-canvas [data-row-id="${escaped}"]`,
    `#studio-canvas [data-col-id="${escaped}"]`,
    `#studio-canvas [data-element-id="${escaped}"]`,
  ];
}

export async function mountDmn({ config, canvas, onChange }) {
  // dmn-js gives each view its own additionalModules (the common ones would be replaced).
  const additionalModules =
    config.language === 'sv' ? [{ translate: ['value', translateWith(swedish)] }] : [];
  const modeler = new DmnModeler({
    container: canvas,
    common: { keyboard: { bind: true } },
    drd: { additionalModules },
    decisionTable: { additionalModules },
    literalExpression: { additionalModules },
    boxedExpression: { additionalModules },
  });
  const tableStyles = new FindingStyles('studio-dmn-findings', (id) =>
    cellSelectors(tableId(modeler.getDefinitions(), id)),
  );
  const viewsNav = document.getElementById('studio-views');
  let findings = [];
  let markers = null;

  modeler.on('viewer.created', ({ viewer }) => {
    viewer.get('eventBus').on('commandStack.changed', (event) => {
      if (event.trigger !== 'clear') {
        onChange();
      }
    });
  });
  modeler.on('views.changed', () => {
    renderViews();
    drawFindings();
  });

  function drawFindings() {
    const view = modeler.getActiveView();
    if (view && view.type === 'drd') {
      markers = new DiagramMarkers(modeler.getActiveViewer());
      markers.show(findings);
      labelCanvas(canvas);
    } else {
      markers = null;
    }
    tableStyles.show(findings);
  }

  // The views (the DRD and each decision's table) as buttons: the drill-down icons on the
  // diagram are not reachable by keyboard.
  function renderViews() {
    if (!viewsNav) {
      return;
    }
    const active = modeler.getActiveView();
    const list = document.createElement('ul');
    for (const view of modeler.getViews()) {
      const item = document.createElement('li');
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'button secondary';
      button.textContent =
        view.type === 'drd' ? viewsNav.dataset.drd : view.name || view.id;
      if (active && active.id === view.id && active.type === view.type) {
        button.setAttribute('aria-current', 'true');
      }
      button.addEventListener('click', () => modeler.open(view));
      item.append(button);
      list.append(item);
    }
    viewsNav.querySelector('ul')?.remove();
    viewsNav.append(list);
    viewsNav.hidden = false;
  }

  async function openView(type, element) {
    const view = modeler.getViews().find((candidate) =>
      element ? candidate.element === element : candidate.type === type,
    );
    if (view && view !== modeler.getActiveView()) {
      await modeler.open(view);
    }
  }

  return {
    modeler,
    async load(xml) {
      const { warnings } = await modeler.importXML(xml);
      const viewer = modeler.getActiveViewer();
      if (modeler.getActiveView().type === 'drd') {
        viewer.get('canvas').zoom('fit-viewport', 'auto');
      }
      return warnings;
    },
    async content() {
      const { xml } = await modeler.saveXML({ format: true });
      return xml;
    },
    showFindings(list) {
      findings = list;
      drawFindings();
    },
    hasElement(id) {
      const definitions = modeler.getDefinitions();
      return Boolean(id && definitions && (definitions.id === id || ownerOf(definitions, id)));
    },
    async reveal(id) {
      const definitions = modeler.getDefinitions();
      const owner = ownerOf(definitions, id);
      if (!owner) {
        return false;
      }
      if (owner.id === id) {
        // A decision or input data: show it on the diagram.
        await openView('drd');
        if (markers) {
          return markers.reveal(id);
        }
        return false;
      }
      await openView(null, owner);
      const cell = canvas.querySelector(cellSelectors(tableId(definitions, id)).join(', '));
      if (cell) {
        cell.scrollIntoView({ block: 'center', inline: 'nearest' });
        cell.focus?.();
      }
      return Boolean(cell);
    },
  };
}
