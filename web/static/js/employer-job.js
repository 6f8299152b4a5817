// An employer's job: applicants and claims appear without reloading.
import { keepFresh } from "./refresh.js";

const box = document.getElementById("applicants");
if (box) {
  const job = Number(box.dataset.job);
  keepFresh({
    url: box.dataset.url,
    target: box,
    relevant: (event) => event.type === "resync" || Number(event.data?.job) === job,
    slowMs: 20000,
    fastMs: 4000,
    onSwap(target, fresh) {
      const before = new Set([...target.querySelectorAll("[id^=application-]")].map((el) => el.id));
      fresh.querySelectorAll("[id^=application-]").forEach((card) => {
        if (!before.has(card.id)) card.classList.add("job", "new");
      });
      target.replaceChildren(fresh);
    },
  });
}
