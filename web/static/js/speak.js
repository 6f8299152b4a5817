// The 🔊 buttons ([data-speak]): the browser reads the job aloud, offline, no server.
// The text is written by the server (translated, tested); tapping again stops.
// Without speech synthesis the buttons stay hidden (CSS shows them under .can-speak).
(function () {
  "use strict";
  var synth = window.speechSynthesis;
  if (!synth || typeof window.SpeechSynthesisUtterance !== "function") return;
  document.documentElement.classList.add("can-speak");
  var speaking = null;

  function quiet(button) {
    if (speaking !== button) return;
    button.setAttribute("aria-pressed", "false");
    speaking = null;
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-speak]");
    if (!button) return;
    event.preventDefault();
    var again = button === speaking;
    synth.cancel();
    if (speaking) quiet(speaking);
    if (again) return;
    var utterance = new window.SpeechSynthesisUtterance(button.getAttribute("data-speak"));
    utterance.lang = button.getAttribute("data-speak-lang") || "zh-CN";
    utterance.rate = 0.9; // a little slower than default: easier to follow
    utterance.onend = utterance.onerror = function () { quiet(button); };
    speaking = button;
    button.setAttribute("aria-pressed", "true");
    synth.speak(utterance);
  });
})();
