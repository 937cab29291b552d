// After a refused POST, move the focus to what went wrong, so that a screen reader announces it.
(function () {
  var el = document.getElementById("problem") || document.getElementById("error-summary");
  if (el) { el.focus(); }
})();
