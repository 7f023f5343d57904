// Footnote popovers: a click (or Enter) on a footnote marker shows the note
// next to it; Escape (or the × button) closes it and puts the focus back on
// the marker.  Without JavaScript the marker simply jumps to the note list.
// The popover is inserted right after the marker, so Tab moves from the
// marker into the note and on to the rest of the text.
// Also: before printing, every <details> is opened (the removed-lines list
// is part of the printed record) and closed again afterwards.
(function () {
  "use strict";
  var open = null, opener = null;

  var active = null;  // the claim whose note is open, highlighted

  function close(focusBack) {
    var back = opener;
    if (open) { open.remove(); }
    if (active) { active.classList.remove("fn-active"); active = null; }
    open = null; opener = null;
    if (focusBack && back) { back.focus(); }
  }

  function place(pop, a) {
    var r = a.getBoundingClientRect();
    var vw = document.documentElement.clientWidth;
    pop.style.top = (window.scrollY + r.bottom + 6) + "px";
    var w = pop.offsetWidth;
    var left = Math.min(r.left - 20, vw - w - 8);
    pop.style.left = (window.scrollX + Math.max(8, left)) + "px";
  }

  function show(a, note) {
    var pop = document.createElement("div");
    pop.className = "fn-popover";
    pop.setAttribute("role", "dialog");
    pop.setAttribute("aria-label", "Footnote " + a.textContent);
    var btn = document.createElement("button");
    btn.type = "button"; btn.className = "close"; btn.setAttribute("aria-label", "Close footnote " + a.textContent);
    btn.textContent = "×";
    btn.addEventListener("click", function () { close(true); });
    pop.appendChild(btn);
    var label = document.createElement("p");
    label.className = "fn-label";
    label.textContent = "Note " + a.textContent;
    pop.appendChild(label);
    Array.prototype.forEach.call(note.children, function (child) {
      if (child.querySelector && child.querySelector(".backref")) { return; }  // "back to text": we are there
      var copy = child.cloneNode(true);
      copy.removeAttribute("id");
      Array.prototype.forEach.call(copy.querySelectorAll("[id]"), function (e) { e.removeAttribute("id"); });
      pop.appendChild(copy);
    });
    var sup = a.closest("sup") || a;
    sup.parentNode.insertBefore(pop, sup.nextSibling);
    var claim = sup.previousElementSibling;
    if (claim && claim.classList.contains("claim")) { active = claim; claim.classList.add("fn-active"); }
    pop.addEventListener("focusout", function (ev) {
      var to = ev.relatedTarget;
      if (to && open === pop && !pop.contains(to) && to !== opener) { close(false); }
    });
    open = pop; opener = a;
    place(pop, a);
    btn.focus({ preventScroll: true });
    if (pop.scrollIntoView) { pop.scrollIntoView({ block: "nearest" }); }
  }

  document.addEventListener("click", function (ev) {
    var a = ev.target.closest ? ev.target.closest("sup.fnref a") : null;
    if (!a) {
      if (open && !open.contains(ev.target)) { close(false); }
      return;
    }
    var note = document.getElementById((a.getAttribute("href") || "").slice(1));
    if (!note) { return; }
    ev.preventDefault();
    var same = opener === a;
    close(false);
    if (!same) { show(a, note); }
  });

  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape" && open) { ev.preventDefault(); close(true); }
  });

  window.addEventListener("resize", function () { if (open && opener) { place(open, opener); } });

  var reopen = [];
  window.addEventListener("beforeprint", function () {
    close(false);
    Array.prototype.forEach.call(document.querySelectorAll("details:not([open])"), function (d) {
      d.open = true; reopen.push(d);
    });
  });
  window.addEventListener("afterprint", function () {
    reopen.forEach(function (d) { d.open = false; });
    reopen = [];
  });
})();
