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
  source.addEventListener("update", (event) => {
    const atBottom = el.scrollTop + el.clientHeight >= el.scrollHeight - 8;
    const reopen = keepOpen(el);
    el.innerHTML = event.data;
    reopen();
    el.dataset.liveVersion = String(Number(el.dataset.liveVersion || 0) + 1);
    if (el.hasAttribute("data-scroll") && atBottom) el.scrollTop = el.scrollHeight;
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
