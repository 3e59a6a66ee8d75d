// Live regions: each [data-live] element is replaced by the fragments its stream sends.
// Without JavaScript every page still works; it only needs reloading by hand.
"use strict";

// A form being filled in a live region (a correction of the intent model, say) stays open
// with its choices when the region is replaced: only <details> with an id are kept.
function keepOpen(el) {
  const open = [...el.querySelectorAll("details[id][open]")].map((d) => ({
    id: d.id,
    values: [...d.querySelectorAll("select")].map((s) => s.value),
  }));
  return () => open.forEach(({ id, values }) => {
    const details = document.getElementById(id);
    if (!details) return;
    details.open = true;
    details.querySelectorAll("select").forEach((s, i) => { if (i < values.length) s.value = values[i]; });
  });
}

function startLive(el) {
  const status = document.querySelector("[data-live-status]");
  const say = (text) => { if (status) status.textContent = text; };
  const source = new EventSource(el.dataset.live);
  source.addEventListener("open", () => say(el.dataset.liveOk));
  source.addEventListener("error", () => say(el.dataset.liveLost));
  // The scroll box may be the region itself or an element of the fragment (the transcript,
  // under its always-visible state line): found again after each replacement.
  const scroller = () => (el.hasAttribute("data-scroll") ? el : el.querySelector("[data-scroll]"));
  source.addEventListener("update", (event) => {
    const box = scroller();
    const atBottom = !box || box.scrollTop + box.clientHeight >= box.scrollHeight - 8;
    const readingAt = box ? box.scrollTop : 0;
    const reopen = keepOpen(el);
    el.innerHTML = event.data;
    reopen();
    el.dataset.liveVersion = String(Number(el.dataset.liveVersion || 0) + 1);
    const next = scroller();
    if (next) next.scrollTop = atBottom ? next.scrollHeight : readingAt;
    say(el.dataset.liveOk);
  });
  source.addEventListener("logout", () => { source.close(); window.location.reload(); });
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-live]").forEach(startLive);
  document.querySelectorAll("[data-scroll]").forEach((el) => { el.scrollTop = el.scrollHeight; });
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
});
