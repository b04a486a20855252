// aksemu console: the little the server cannot do. Selecting a cluster on the
// graph highlights what it owns and reaches; the decisions page follows the
// live feed. No inline script anywhere (the Content-Security-Policy forbids it).
"use strict";

function selectCluster(svg, node) {
  const tag = node.getAttribute("data-c");
  const already = svg.getAttribute("data-selected") === tag;
  svg.querySelectorAll(".hl").forEach((e) => e.classList.remove("hl"));
  if (already) {
    svg.classList.remove("selecting");
    svg.removeAttribute("data-selected");
    return;
  }
  svg.classList.add("selecting");
  svg.setAttribute("data-selected", tag);
  svg.querySelectorAll('[data-k~="' + tag + '"]').forEach((e) => e.classList.add("hl"));
}

function graph() {
  const svg = document.getElementById("graph");
  if (!svg) return;
  svg.addEventListener("click", (ev) => {
    const node = ev.target.closest("[data-c]");
    if (node) selectCluster(svg, node);
  });
  svg.addEventListener("keydown", (ev) => {
    const node = ev.target.closest("[data-c]");
    if (node && (ev.key === "Enter" || ev.key === " ")) selectCluster(svg, node);
  });
}

function feed() {
  const state = document.getElementById("feed-state");
  const list = document.getElementById("decisions");
  if (!state || !list) return;
  const source = new EventSource(state.getAttribute("data-stream"));
  source.addEventListener("open", () => { state.textContent = "live"; state.setAttribute("data-open", "1"); });
  source.addEventListener("error", () => { state.textContent = "reconnecting…"; });
  source.addEventListener("decisions", (ev) => {
    list.insertAdjacentHTML("afterbegin", ev.data);
    while (list.children.length > 500) list.lastElementChild.remove();
  });
}

document.addEventListener("DOMContentLoaded", () => { graph(); feed(); });
