// The room left in a long text, as the person types (templates/macros/forms.html writes the limit and the words).
// The count is shown beside the field; a screen reader hears it only when the text nears or passes the limit.
(function () {
  function update(box, count, live) {
    var max = parseInt(count.dataset.max, 10);
    var n = box.value.length;
    var over = n > max;
    var words = over ? count.dataset.over.replace("{extra}", String(n - max)) : count.dataset.within;
    count.textContent = words.replace("{n}", String(n));
    count.classList.toggle("text-danger", over);
    count.classList.toggle("fw-semibold", over);
    var state = over ? "over" : (n >= max * 0.9 ? "near" : "ok");
    if (live && state !== live.dataset.state) {
      live.dataset.state = state;
      live.textContent = state === "ok" ? "" : count.textContent;
    }
  }
  document.querySelectorAll("textarea[data-max]").forEach(function (box) {
    var count = document.getElementById(box.id + "-count");
    var live = document.getElementById(box.id + "-count-live");
    if (!count) { return; }
    box.addEventListener("input", function () { update(box, count, live); });
    update(box, count, null);
  });
})();
