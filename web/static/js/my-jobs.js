// A worker's jobs: a hire, a refusal or a cancellation shows up without reloading.
import { keepFresh } from "./refresh.js";

const box = document.getElementById("my-jobs");
if (box) {
  keepFresh({
    url: box.dataset.url,
    target: box,
    relevant: (event) => /^(application\.|job\.|standby\.|resync)/.test(event.type || ""),
    slowMs: 120000,
    fastMs: 30000,
    onSwap(target, fresh) {
      target.replaceChildren(fresh);
    },
  });
}
