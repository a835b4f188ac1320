// A second click while the first submit is on its way would only reach the same case; a button
// marked data-once says so by being disabled once its form is sent.
document.querySelectorAll("button[data-once]").forEach(function (button) {
  button.form.addEventListener("submit", function () {
    setTimeout(function () { button.disabled = true; }, 0);
  });
});
