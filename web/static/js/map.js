// Leaflet maps: the job site (and the worker) on a job page, the pin on the job form.
// Without Leaflet or tiles the page keeps its address and distance in text.
(function () {
  "use strict";
  var L = window.L;
  if (!L) return;

  function tiles(map, el) {
    var url = el.getAttribute("data-tiles");
    if (!url) return;
    var host = url.replace(/^https?:\/\//, "").split("/")[0].replace("{s}", "");
    var layer = L.tileLayer(url, {
      subdomains: url.indexOf("autonavi") >= 0 ? "1234" : "abc",
      maxZoom: 18,
      attribution: host,
    });
    var failed = false;
    layer.on("tileerror", function () {
      if (failed) return;
      failed = true;
      var note = el.parentNode.querySelector("[data-tiles-failed]");
      if (note) note.hidden = false;
    });
    layer.addTo(map);
  }

  var site = document.getElementById("map");
  if (site) {
    var job = [parseFloat(site.getAttribute("data-job-lat")), parseFloat(site.getAttribute("data-job-lon"))];
    var map = L.map(site, { scrollWheelZoom: false }).setView(job, 14);
    tiles(map, site);
    L.circleMarker(job, { radius: 11, color: "#9b1c1c", fillColor: "#c62828", fillOpacity: 0.9 })
      .addTo(map).bindTooltip(site.getAttribute("data-job-label"), { permanent: true, direction: "top" });
    if (site.hasAttribute("data-me-lat")) {
      var me = [parseFloat(site.getAttribute("data-me-lat")), parseFloat(site.getAttribute("data-me-lon"))];
      L.circleMarker(me, { radius: 9, color: "#0b4fa8", fillColor: "#1e88e5", fillOpacity: 0.9 })
        .addTo(map).bindTooltip(site.getAttribute("data-me-label"), { direction: "bottom" });
      L.polyline([me, job], { color: "#0b4fa8", dashArray: "6 8", weight: 3 }).addTo(map);
      // two points a street apart would zoom to the tiles' limit; no animation on weak phones
      map.fitBounds(L.latLngBounds([me, job]).pad(0.4), { maxZoom: 16, animate: false });
    }
  }

  var pin = document.getElementById("pin-map");
  if (pin) {
    var form = pin.closest("form");
    var district = form.elements.district;
    var centre = function () {
      var option = district.options[district.selectedIndex];
      return [parseFloat(option.getAttribute("data-lat")), parseFloat(option.getAttribute("data-lon"))];
    };
    var start = form.elements.lat.value ? [parseFloat(form.elements.lat.value), parseFloat(form.elements.lon.value)] : centre();
    var pinMap = L.map(pin, { scrollWheelZoom: false }).setView(start, 13);
    tiles(pinMap, pin);
    var marker = null;
    var place = function (latlng) {
      if (marker) marker.setLatLng(latlng);
      else marker = L.circleMarker(latlng, { radius: 11, color: "#9b1c1c", fillColor: "#c62828", fillOpacity: 0.9 }).addTo(pinMap);
      form.elements.lat.value = latlng.lat.toFixed(5);
      form.elements.lon.value = latlng.lng.toFixed(5);
    };
    if (form.elements.lat.value) place(L.latLng(start[0], start[1]));
    pinMap.on("click", function (event) { place(event.latlng); });
    district.addEventListener("change", function () {
      if (!marker) pinMap.setView(centre(), 13);
    });
  }
})();
