// The BPMN editor: bpmn-js Modeler with the properties panel for the zeebe: extensions that Verka
// runs (forms, job types, called decisions, IO mappings, conditions) and Camunda's zeebe
// behaviours, which keep those extensions consistent while the diagram is edited.
import BpmnModeler from 'bpmn-js/lib/Modeler';
import {
  BpmnPropertiesPanelModule,
  BpmnPropertiesProviderModule,
  ZeebePropertiesProviderModule,
} from 'bpmn-js-properties-panel';
import ZeebeBehaviorsModule from 'camunda-bpmn-js-behaviors/lib/camunda-cloud';
import zeebeModdle from 'zeebe-bpmn-moddle/resources/zeebe.json';

import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import 'bpmn-js/dist/assets/bpmn-font/css/bpmn-embedded.css';
import '@bpmn-io/properties-panel/dist/assets/properties-panel.css';

import swedish from './translations-sv.js';
import { DiagramMarkers } from './markers.js';
import { debounceFactory, flushInput } from './input.js';

export function translateWith(dictionary) {
  return function translate(template, replacements) {
    const text = dictionary[template] || template;
    return text.replace(/{([^}]+)}/g, (match, key) =>
      replacements && key in replacements ? replacements[key] : match,
    );
  };
}

export async function mountBpmn({ config, canvas, properties, onChange }) {
  const additionalModules = [
    BpmnPropertiesPanelModule,
    BpmnPropertiesProviderModule,
    ZeebePropertiesProviderModule,
    ZeebeBehaviorsModule,
    { debounceInput: ['factory', debounceFactory(300)] },
  ];
  if (config.language === 'sv') {
    additionalModules.push({ translate: ['value', translateWith(swedish)] });
  }
  const modeler = new BpmnModeler({
    container: canvas,
    propertiesPanel: { parent: properties },
    additionalModules,
    moddleExtensions: { zeebe: zeebeModdle },
  });
  let markers = null;

  modeler.on('commandStack.changed', onChange);

  return {
    modeler,
    async load(xml) {
      const { warnings } = await modeler.importXML(xml);
      modeler.get('canvas').zoom('fit-viewport', 'auto');
      markers = new DiagramMarkers(modeler);
      labelCanvas(canvas);
      return warnings;
    },
    async content() {
      flushInput();
      const { xml } = await modeler.saveXML({ format: true });
      return xml;
    },
    showFindings(findings) {
      markers.show(findings);
    },
    hasElement(id) {
      return markers.hasElement(id);
    },
    reveal(id) {
      markers.reveal(id);
    },
  };
}

// The drawing surface is focusable (keyboard shortcuts) and needs a name for assistive technology.
export function labelCanvas(container) {
  const svg = container.querySelector('svg');
  const label = container.dataset.label;
  if (svg && label) {
    svg.setAttribute('role', 'application');
    svg.setAttribute('aria-label', label);
  }
}
