// The properties panels apply typing after a short delay (debounce). Save, Check and Download
// must see the last keystrokes, so the panels get this debounce, whose pending calls can be run
// at once with flushInput() before the editor's content is read.
const pending = new Set();

function flushable(fn, delay) {
  let timer = null;
  let lastArgs = null;
  function run() {
    window.clearTimeout(timer);
    timer = null;
    pending.delete(debounced);
    const args = lastArgs;
    lastArgs = null;
    fn(...args);
  }
  function debounced(...args) {
    lastArgs = args;
    pending.add(debounced);
    window.clearTimeout(timer);
    timer = window.setTimeout(run, delay);
  }
  debounced.flush = () => {
    if (timer !== null) {
      run();
    }
  };
  debounced.cancel = () => {
    window.clearTimeout(timer);
    timer = null;
    lastArgs = null;
    pending.delete(debounced);
  };
  return debounced;
}

export function flushInput() {
  for (const debounced of [...pending]) {
    debounced.flush();
  }
}

// A didi factory for the panels' debounce services (bpmn-js: debounceInput, form-js: debounce).
export function debounceFactory(delay) {
  return () => (fn) => flushable(fn, delay);
}
