"use strict";
(function () {
  const D = JSON.parse(document.getElementById("data").textContent);
  const PAGE = 300;
  const $ = (id) => document.getElementById(id);
  const R = D.resources; // [url, title, host, section, tags, level, description, occs, similar, status, final]
  const hay = R.map((r) => (r[1] + "\n" + (r[6] || "") + "\n" + r[0]).toLowerCase());
  let limit = PAGE;

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }

  function safeHref(url) {
    return /^https?:\/\//i.test(url) ? url : null;
  }

  function fill(select, values, label) {
    const first = el("option", null, label);
    first.value = "";
    select.appendChild(first);
    for (const [value, count] of values) {
      const o = el("option", null, value + " (" + count + ")");
      o.value = value;
      select.appendChild(o);
    }
  }

  function counted(pick) {
    const m = new Map();
    for (const r of R) for (const v of pick(r)) m.set(v, (m.get(v) || 0) + 1);
    return [...m.entries()].sort((a, b) => a[0].localeCompare(b[0]));
  }

  fill($("tag"), counted((r) => r[4].map((i) => D.tags[i])), "All tags");
  fill($("level"), counted((r) => (r[5] ? [r[5]] : [])), "All difficulties");
  fill($("section"), counted((r) => [D.sections[r[3]] || "(no section)"]), "All sections");

  function chip(list, cls, text, title) {
    const c = el("li", "chip " + cls, text);
    if (title) c.title = title;
    list.appendChild(c);
  }

  function occurrence(o) {
    const li = el("li");
    const [path, title] = D.notes[o[0]];
    const a = el("a", null, title);
    a.href = "obsidian://open?vault=" + encodeURIComponent(D.vault) + "&file=" + encodeURIComponent(path);
    li.appendChild(a);
    li.appendChild(document.createTextNode(" · "));
    li.appendChild(el("code", null, path + ":" + o[1]));
    return li;
  }

  function resource(i) {
    const r = R[i];
    const li = el("li", "resource");
    li.dataset.index = String(i);
    const a = el("a", "title", r[1]);
    const href = safeHref(r[0]);
    if (href) a.href = href;
    a.rel = "noopener noreferrer";
    li.appendChild(a);
    li.appendChild(el("span", "host", r[2]));
    if (r[6]) li.appendChild(el("p", "desc", r[6]));
    const chips = el("ul", "chips");
    if (r[5]) chip(chips, "level", r[5]);
    for (const t of r[4]) chip(chips, "tag", "#" + D.tags[t]);
    if (r[7].length > 1) chip(chips, "dup", "saved " + r[7].length + "×", "duplicates merged");
    if (r[8].length) chip(chips, "near", "≈ " + r[8].map((j) => R[j][1]).join(" · "), "near-duplicate titles");
    if (r[9] === "dead") chip(chips, "dead", "dead link", r[10] || "");
    if (r[9] === "redirected") chip(chips, "redirected", "redirected", r[10] ? "→ " + r[10] : "");
    if (chips.childNodes.length) li.appendChild(chips);
    const occ = el("ul", "occ");
    for (const o of r[7]) occ.appendChild(occurrence(o));
    li.appendChild(occ);
    return li;
  }

  function matches() {
    const words = $("q").value.toLowerCase().split(/\s+/).filter(Boolean);
    const tag = $("tag").value, level = $("level").value, section = $("section").value;
    const out = [];
    for (let i = 0; i < R.length; i++) {
      const r = R[i];
      if (level && r[5] !== level) continue;
      if (tag && !r[4].some((t) => D.tags[t] === tag)) continue;
      if (section && (D.sections[r[3]] || "(no section)") !== section) continue;
      if (words.length && !words.every((w) => hay[i].includes(w))) continue;
      out.push(i);
    }
    return out;
  }

  function render() {
    const found = matches();
    const groups = new Map();
    for (const i of found) {
      const s = R[i][3];
      if (!groups.has(s)) groups.set(s, []);
      groups.get(s).push(i);
    }
    const list = $("list");
    list.textContent = "";
    let left = limit;
    for (const [s, members] of groups) {
      if (left <= 0) break;
      const g = el("section", "group");
      const h = el("h2", null, D.sections[s] || "(no section)");
      h.appendChild(el("span", "count", " " + members.length));
      g.appendChild(h);
      const ol = el("ol", "resources");
      for (const i of members.slice(0, left)) ol.appendChild(resource(i));
      left -= members.length;
      g.appendChild(ol);
      list.appendChild(g);
    }
    const shown = Math.min(found.length, limit);
    $("shown").textContent =
      "Showing " + shown + " of " + found.length + " matching resources (" + R.length + " in all), in " +
      groups.size + " sections.";
    $("more").hidden = found.length <= limit;
  }

  let queued = false;
  function update() {
    limit = PAGE;
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => { queued = false; render(); });
  }
  for (const id of ["q", "tag", "level", "section"]) $(id).addEventListener("input", update);
  $("more").addEventListener("click", () => { limit += PAGE; render(); });
  render();
  document.documentElement.dataset.ready = "1";
})();
