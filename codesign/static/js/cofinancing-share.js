// The co-financing share, shown live while the amounts are typed (labels in data-labels on this element).
(function () {
  var out = document.getElementById("cofinancing-share");
  var req = document.getElementById("requested_amount");
  var cof = document.getElementById("cofinancing_amount");
  if (!out || !req || !cof) { return; }
  var t = JSON.parse(document.currentScript.getAttribute("data-labels"));
  var minimum = parseFloat(out.getAttribute("data-min")) || 0;
  var sep = out.getAttribute("data-decimal") || ",";
  var timer = null;
  function amount(el) {
    var v = el.value.replace(/[\s\u00a0€]/g, "").replace(",", ".");
    return /^\d+(\.\d{1,2})?$/.test(v) ? parseFloat(v) : NaN;
  }
  function update() {
    var r = amount(req), c = amount(cof);
    if (isNaN(r) || isNaN(c) || r + c <= 0) { out.textContent = t.empty; return; }
    var share = c * 100 / (r + c);
    out.textContent = t.label + ": " + share.toFixed(2).replace(".", sep) + "% — " +
      (c * 100 >= minimum * (r + c) - 1e-9 ? t.ok : t.low);
  }
  function later() { clearTimeout(timer); timer = setTimeout(update, 400); }
  req.addEventListener("input", later);
  cof.addEventListener("input", later);
  update();
})();
