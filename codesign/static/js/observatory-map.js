// The observatory's map: the municipalities' polygons (GeoJSON served by codesign, no tile server) coloured by the
// number of projects of the figures the page holds; a click opens the municipality's projects. The same figures are
// in the table under the map.
(function () {
  var el = document.getElementById("map");
  if (!el || !el.dataset.figures || !window.L) { return; }
  var figures = JSON.parse(el.dataset.figures);
  var byCode = {};
  var most = 0;
  figures.forEach(function (f) { byCode[f.municipality] = f; most = Math.max(most, f.projects); });
  var colours = ["#f2f2f2", "#c6dcf2", "#7fb0e3", "#2f75c4", "#0b3a66"];
  function colour(n) {
    if (!n) { return colours[0]; }
    return colours[Math.min(4, 1 + Math.floor(3 * (n - 1) / Math.max(1, most - 1) + 0.0001))];
  }
  var lang = document.documentElement.lang || "it";
  var money = new Intl.NumberFormat(lang === "en" ? "en-GB" : "it-IT", {style: "currency", currency: "EUR"});
  var d = el.dataset;
  fetch(d.geometry).then(function (r) { return r.json(); }).then(function (geo) {
    var map = L.map(el, {zoomSnap: 0.25, scrollWheelZoom: false});
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution(d.attribution);
    var layer = L.geoJSON(geo, {
      style: function (feature) {
        var f = byCode[feature.properties.code] || {projects: 0};
        return {color: "#5c6f82", weight: 0.8, fillColor: colour(f.projects), fillOpacity: 0.9};
      },
      onEachFeature: function (feature, shape) {
        var f = byCode[feature.properties.code] || {projects: 0, public_funding: "0", paid_amount: "0"};
        var text = feature.properties.name + ": " + f.projects + " " + (f.projects === 1 ? d.labelProject : d.labelProjects);
        if (f.projects) {
          text += " · " + d.labelPublic + " " + money.format(Number(f.public_funding)) +
                  " · " + d.labelPaid + " " + money.format(Number(f.paid_amount));
        }
        shape.bindTooltip(text, {sticky: true});
        shape.on("click", function () {
          window.location.assign(d.town.replace("CODE", encodeURIComponent(feature.properties.code)));
        });
      }
    }).addTo(map);
    var bounds = layer.getBounds();
    map.fitBounds(bounds);
    map.on("resize", function () { map.fitBounds(bounds); });
  });
})();
