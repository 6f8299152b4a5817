// The worker's feed: new fitting jobs slide in without reloading.
import { keepFresh } from "./refresh.js";

const feed = document.getElementById("feed");
if (feed) {
  const kinds = /^(feed\.|job\.|application\.|resync)/;
  keepFresh({
    url: feed.dataset.cardsUrl,
    target: feed,
    // feed.slots: live.js already changed the card; a refetch by every phone would not scale
    relevant: (event) => event.type !== "feed.slots" && kinds.test(event.type || ""),
    slowMs: 120000,
    fastMs: 45000,
    onSwap(target, fresh) {
      const before = new Set([...target.querySelectorAll("[data-job]")].map((el) => el.dataset.job));
      fresh.querySelectorAll("[data-job]").forEach((card) => {
        if (!before.has(card.dataset.job)) card.classList.add("new");
      });
      target.replaceChildren(fresh);
    },
  }).then(() => {
    const note = document.getElementById("live-note");
    if (note) note.hidden = false;
  });
}
