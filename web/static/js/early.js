// Loaded in <head>, before the page paints (no inline script: the CSP forbids it).
(function () {
  "use strict";
  document.documentElement.className += " js";
  // Print buttons ([data-print]) on the evidence sheet and the dispatch list.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-print]");
    if (button) window.print();
  });
})();
