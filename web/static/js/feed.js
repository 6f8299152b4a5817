// The worker's feed: new fitting jobs slide in without reloading.
import { keepFresh } from "./refresh.js";

const feed = document.getElementById("feed");
const banner = document.getElementById("new-jobs");
let arrived = []; // ids of jobs that came since the worker last looked

// New jobs are placed by rank, often below the fold: say so at the top, and take the
// worker to the first of them on a tap.
function announce(ids) {
  if (!banner || ids.length === 0) return;
  arrived = [...new Set([...arrived, ...ids])];
  banner.textContent = banner.dataset.text.replace("{n}", String(arrived.length));
  banner.hidden = false;
}

if (banner) {
  banner.addEventListener("click", () => {
    const cards = arrived.map((id) => feed.querySelector(`[data-job="${id}"]`)).filter(Boolean);
    cards.sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top);
    arrived = [];
    banner.hidden = true;
    if (cards.length === 0) return;
    cards.forEach((card) => card.classList.add("new"));
    cards[0].scrollIntoView({ block: "center" });
    const link = cards[0].querySelector("a");
    if (link) link.focus({ preventScroll: true });
  });
}

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
      const added = [];
      fresh.querySelectorAll("[data-job]").forEach((card) => {
        if (!before.has(card.dataset.job)) {
          card.classList.add("new");
          added.push(card.dataset.job);
        }
      });
      target.replaceChildren(fresh);
      // still highlight those announced earlier and not yet looked at
      arrived.forEach((id) => target.querySelector(`[data-job="${id}"]`)?.classList.add("new"));
      announce(added);
    },
  }).then(() => {
    const note = document.getElementById("live-note");
    if (note) note.hidden = false;
  });
}
