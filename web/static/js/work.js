// The work record's pages: the phone's position for a check-in (only when the worker
// ticks the box; a poor fix or none never blocks it), and the record refreshed when the
// other side records something.
import { keepFresh } from "./refresh.js";

const share = document.querySelector("[data-share-place]");
if (share && "geolocation" in navigator) {
  const form = share.closest("form");
  const note = form.querySelector("[data-place-note]");
  const field = (name) => form.querySelector(`[data-${name}]`);
  const clear = () => {
    ["lat", "lon", "accuracy"].forEach((name) => { field(name).value = ""; });
    if (note) note.hidden = true;
  };
  const fill = (position) => {
    if (!share.checked) return;
    field("lat").value = position.coords.latitude.toFixed(6);
    field("lon").value = position.coords.longitude.toFixed(6);
    field("accuracy").value = String(Math.round(position.coords.accuracy));
    if (note) {
      note.textContent = note.dataset.ok.replace("{m}", String(Math.round(position.coords.accuracy)));
      note.hidden = false;
    }
  };
  const ask = () => {
    if (!share.checked) { clear(); return; }
    navigator.geolocation.getCurrentPosition(fill, () => {}, {
      enableHighAccuracy: true, timeout: 10000, maximumAge: 60000,
    });
  };
  share.addEventListener("change", ask);
  ask();
}

const box = document.querySelector("[data-live-part]");
if (box) {
  const job = Number(box.dataset.job || 0);
  const application = Number(box.dataset.application || 0);
  keepFresh({
    url: box.dataset.url,
    target: box,
    relevant: (event) => event.type === "resync" || (
      /^(attendance|payment|arrears)\./.test(event.type || "")
      && (!job || Number(event.data?.job) === job)
      && (!application || Number(event.data?.application) === application)
    ),
    slowMs: 60000,
    fastMs: 15000,
    onSwap(target, fresh) {
      target.replaceChildren(fresh);
    },
  });
}
