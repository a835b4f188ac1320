// Swedish for the texts the form-js viewer writes itself (validation errors, buttons, ARIA labels,
// the date picker). form-js has no translation hook in the viewer, so on Swedish pages a
// MutationObserver on the form's container swaps those texts as the viewer renders them. Only
// whole texts the viewer is known to produce are replaced, and only inside the parts of the form
// the viewer owns, so the form author's own labels and options are never touched. The wording
// follows the server's messages (verka/engine/forms/messages.py) where the meaning is the same.
(function () {
  "use strict";

  var TEXTS = {
    // Validation (form-js-viewer Validator)
    "Field is required.": "Fältet är obligatoriskt.",
    "Field must be a valid email.": "Ange en giltig e-postadress.",
    "Field must be a valid  international phone number. (e.g. +4930664040900)":
      "Ange ett internationellt telefonnummer, till exempel +46701234567.",
    "Value is not a number.": "Ange ett tal.",
    "Value is expected to be an integer.": "Ange ett heltal.",
    "Min validation value is not a valid number.": "Formulärets minsta tillåtna värde är inte ett tal.",
    "Max validation value is not a valid number.": "Formulärets största tillåtna värde är inte ett tal.",
    "Date and time must both be entered.": "Ange både datum och tid.",
    "Document reference is not defined.": "Dokumentreferensen saknas.",
    "Unable to download document": "Dokumentet kunde inte hämtas",
    // File picker
    "Browse": "Bläddra",
    "No files selected": "Inga filer valda",
    // Dynamic list
    "Add new": "Lägg till",
    "Collapse": "Fäll ihop",
    // Select, tag list, number
    "Select": "Välj",
    "Search": "Sök",
    "No results": "Inga träffar",
    "All values selected": "Alla värden är valda",
    "Remove tag": "Ta bort",
    "Increment": "Öka",
    "Decrement": "Minska",
    // Time field
    "hh:mm": "tt:mm",
    "hh:mm --": "tt:mm --",
    // Table
    "Nothing to show.": "Inget att visa.",
    "of": "av",
    "Previous page": "Föregående sida",
    "Next page": "Nästa sida",
    "Click to remove sorting": "Ta bort sorteringen",
    // bpmn.io logo
    "Powered by bpmn.io": "Drivs av bpmn.io",
    // Date picker (flatpickr's English defaults)
    "Year": "År",
    "Month": "Månad",
    "Hour": "Timme",
    "Minute": "Minut",
    "Scroll to increment": "Scrolla för att ändra",
    "Click to toggle": "Klicka för att växla",
    "Sun": "sön", "Mon": "mån", "Tue": "tis", "Wed": "ons", "Thu": "tors", "Fri": "fre", "Sat": "lör"
  };

  var MONTHS = {
    January: "januari", February: "februari", March: "mars", April: "april", May: "maj",
    June: "juni", July: "juli", August: "augusti", September: "september", October: "oktober",
    November: "november", December: "december"
  };
  Object.keys(MONTHS).forEach(function (month) { TEXTS[month] = MONTHS[month]; });

  // Swedish writes a decimal comma, as the server's messages do.
  function number(value) {
    return /^-?\d+\.\d+$/.test(value) ? value.replace(".", ",") : value;
  }

  var PATTERNS = [
    [/^Field must have minimum value of (.+)\.$/, function (m) { return "Värdet måste vara minst " + number(m[1]) + "."; }],
    [/^Field must have maximum value of (.+)\.$/, function (m) { return "Värdet får vara högst " + number(m[1]) + "."; }],
    [/^Field must have minimum length of (\d+)\.$/, function (m) { return "Skriv minst " + m[1] + " tecken."; }],
    [/^Field must have maximum length of (\d+)\.$/, function (m) { return "Skriv högst " + m[1] + " tecken."; }],
    [/^Field must match pattern [\s\S]*\.$/, function () { return "Värdet har inte rätt format."; }],
    [/^Value is expected to have at most (\d+) decimal digits?\.$/, function (m) { return "Ange högst " + m[1] + " decimaler."; }],
    [/^Please select a valid value, the two nearest valid values are (.+) and (.+)\.$/, function (m) {
      return "Välj ett giltigt värde. De närmaste giltiga värdena är " + number(m[1]) + " och " + number(m[2]) + ".";
    }],
    [/^(\d+) files selected$/, function (m) { return m[1] + " filer valda"; }],
    [/^Remove list item (\d+)$/, function (m) { return "Ta bort rad " + m[1]; }],
    [/^Expand all \((\d+)\)$/, function (m) { return "Visa alla (" + m[1] + ")"; }],
    [/^Download (.+)$/, function (m) { return "Ladda ner " + m[1]; }],
    [/^Click to sort by (.+) descending$/, function (m) { return "Sortera efter " + m[1] + " i fallande ordning"; }],
    [/^Click to sort by (.+) ascending$/, function (m) { return "Sortera efter " + m[1] + " i stigande ordning"; }],
    // flatpickr's day labels, "F j, Y": November 23, 2026
    [/^(January|February|March|April|May|June|July|August|September|October|November|December) (\d{1,2}), (\d{4})$/, function (m) {
      return m[2] + " " + MONTHS[m[1]] + " " + m[3];
    }]
  ];

  // The parts of a rendered form whose text the viewer writes; labels, descriptions, text views
  // and options elsewhere come from the form's author.
  var VIEWER_TEXT = [
    ".fjs-form-field-error",
    ".fjs-filepicker-container",
    ".fjs-repeat-render-footer",
    ".fjs-select-placeholder",
    ".fjs-dropdownlist-empty",
    ".fjs-table-nav-label",
    ".fjs-table-td",
    ".flatpickr-calendar"
  ].join(", ");
  var ATTRIBUTES = ["aria-label", "title", "placeholder"];

  // The Swedish for one of the library's texts, or null when the text is not one of them. A
  // pattern's function may itself answer null to pass the text on to the next pattern.
  function translate(text, dictionary, patterns) {
    var key = text.trim();
    if (!key) { return null; }
    var swedish = Object.prototype.hasOwnProperty.call(dictionary, key) ? dictionary[key] : null;
    for (var i = 0; swedish === null && i < patterns.length; i += 1) {
      var match = patterns[i][0].exec(key);
      if (match) { swedish = patterns[i][1](match); }
    }
    if (swedish === null) { return null; }
    // Keep the whitespace around the text: the table's " of " sits between two numbers.
    var start = text.indexOf(key);
    return text.slice(0, start) + swedish + text.slice(start + key.length);
  }

  function pageIsSwedish() {
    return (document.documentElement.lang || "").toLowerCase().split("-")[0] === "sv";
  }

  // Translates the texts under root the way start() describes; returns the MutationObserver, or
  // null when the page is not Swedish. textScope decides which text nodes are the library's own.
  function observe(root, dictionary, patterns, textScope) {
    if (!root || !pageIsSwedish()) { return null; }

    function translateText(node) {
      var parent = node.parentElement;
      if (!parent || !textScope(parent)) { return; }
      var swedish = translate(node.data, dictionary, patterns);
      if (swedish !== null && swedish !== node.data) { node.data = swedish; }
    }

    function translateAttributes(element) {
      if (element.tagName === "IFRAME") { return; }  // its title is the author's label
      ATTRIBUTES.forEach(function (name) {
        var value = element.getAttribute(name);
        if (value === null) { return; }
        var swedish = translate(value, dictionary, patterns);
        if (swedish !== null && swedish !== value) { element.setAttribute(name, swedish); }
      });
    }

    function translateTree(node) {
      if (node.nodeType === Node.TEXT_NODE) { translateText(node); return; }
      if (node.nodeType !== Node.ELEMENT_NODE) { return; }
      translateAttributes(node);
      var walker = document.createTreeWalker(node, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
      for (var current = walker.nextNode(); current; current = walker.nextNode()) {
        if (current.nodeType === Node.TEXT_NODE) { translateText(current); } else { translateAttributes(current); }
      }
    }

    var observer = new MutationObserver(function (records) {
      records.forEach(function (record) {
        if (record.type === "childList") {
          record.addedNodes.forEach(translateTree);
        } else if (record.type === "characterData") {
          translateText(record.target);
        } else if (record.type === "attributes") {
          translateAttributes(record.target);
        }
      });
    });
    observer.observe(root, {
      childList: true,
      subtree: true,
      characterData: true,
      attributes: true,
      attributeFilter: ATTRIBUTES
    });
    translateTree(root);
    return observer;
  }

  // Starts translating the form-js viewer rendered into container (on Swedish pages only).
  function start(container) {
    return observe(container, TEXTS, PATTERNS, function (element) {
      return Boolean(element.closest(VIEWER_TEXT));
    });
  }

  window.VerkaFormTexts = { start: start, observe: observe, translate: translate };
}());
