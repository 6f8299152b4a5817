// Small enhancements on top of plain forms; every page works without this file.
(function () {
  "use strict";
  var doc = document;

  // Claim / apply: confirm in a dialog instead of a separate page.
  var dialog = doc.getElementById("claim-dialog");
  doc.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-claim]");
    if (!link || !dialog || typeof dialog.showModal !== "function") return;
    event.preventDefault();
    var instant = link.getAttribute("data-instant") === "1";
    dialog.querySelector("#claim-form").action = link.getAttribute("data-claim");
    dialog.querySelector("#claim-dialog-title").textContent = link.getAttribute("data-title");
    dialog.querySelector(".claim-summary").textContent = link.getAttribute("data-summary");
    dialog.querySelector("[data-note-instant]").hidden = !instant;
    dialog.querySelector("[data-note-apply]").hidden = instant;
    dialog.showModal();
  });
  doc.addEventListener("click", function (event) {
    var close = event.target.closest && event.target.closest("[data-close]");
    if (close) close.closest("dialog").close();
  });

  // "Use my location": fill the form's coordinates from the browser, then send it.
  doc.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-geolocate]");
    if (!button) return;
    var form = doc.querySelector(button.getAttribute("data-geolocate"));
    var status = form.querySelector(".geo-status");
    var say = function (key) { if (status) status.textContent = button.getAttribute("data-msg-" + key) || ""; };
    if (!navigator.geolocation) { say("denied"); return; }
    say("wait");
    navigator.geolocation.getCurrentPosition(function (pos) {
      form.elements[button.getAttribute("data-lat") || "lat"].value = pos.coords.latitude.toFixed(5);
      form.elements[button.getAttribute("data-lon") || "lon"].value = pos.coords.longitude.toFixed(5);
      say("ok");
      if (!button.hasAttribute("data-no-submit")) form.submit();
    }, function () {
      say("denied");
      var more = form.querySelector("details");
      if (more) more.open = true;
      var picker = form.querySelector("select");
      if (picker) picker.focus();
    }, { enableHighAccuracy: false, timeout: 15000, maximumAge: 300000 });
  });

  // Filters apply as soon as a chip is tapped.
  doc.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
    form.addEventListener("change", function () { form.submit(); });
  });

  // Shift presets and the headcount stepper on the job form.
  doc.addEventListener("click", function (event) {
    var preset = event.target.closest && event.target.closest("[data-shift-start]");
    if (preset) {
      doc.getElementById("start").value = preset.getAttribute("data-shift-start");
      doc.getElementById("end").value = preset.getAttribute("data-shift-end");
    }
    var step = event.target.closest && event.target.closest("[data-step]");
    if (step) {
      var input = step.parentNode.querySelector("input");
      var next = (parseInt(input.value, 10) || 0) + parseInt(step.getAttribute("data-step"), 10);
      input.value = Math.max(parseInt(input.min, 10) || 1, Math.min(parseInt(input.max, 10) || 500, next));
    }
  });

  if ("serviceWorker" in navigator && location.protocol !== "file:") {
    navigator.serviceWorker.register("/sw.js").catch(function () {});
  }
})();
