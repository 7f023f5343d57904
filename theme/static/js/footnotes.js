// Footnote popovers: a click (or Enter) on a footnote marker shows the note
// next to it; without JavaScript the marker simply jumps to the note list.
(function () {
  "use strict";
  var open = null, opener = null;
  function close(focusBack) {
    if (open) { open.remove(); open = null; }
    if (focusBack && opener) { opener.focus(); }
    opener = null;
  }
  document.addEventListener("click", function (ev) {
    var a = ev.target.closest ? ev.target.closest("sup.fnref a") : null;
    if (!a) {
      if (open && !open.contains(ev.target)) { close(false); }
      return;
    }
    var note = document.getElementById(a.getAttribute("href").slice(1));
    if (!note) { return; }
    ev.preventDefault();
    var same = opener === a;
    close(false);
    if (same) { return; }
    var pop = document.createElement("div");
    pop.className = "fn-popover";
    pop.setAttribute("role", "dialog");
    pop.setAttribute("aria-label", "Footnote " + a.textContent);
    var btn = document.createElement("button");
    btn.type = "button"; btn.className = "close"; btn.setAttribute("aria-label", "Close footnote"); btn.textContent = "×";
    btn.addEventListener("click", function () { close(true); });
    pop.appendChild(btn);
    Array.prototype.forEach.call(note.children, function (child) {
      var copy = child.cloneNode(true);
      copy.removeAttribute("id");
      pop.appendChild(copy);
    });
    var r = a.getBoundingClientRect();
    pop.style.top = (window.scrollY + r.bottom + 6) + "px";
    pop.style.left = Math.max(8, Math.min(window.scrollX + r.left - 20, window.scrollX + document.documentElement.clientWidth - 460)) + "px";
    document.body.appendChild(pop);
    open = pop; opener = a;
    btn.focus();
  });
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape" && open) { close(true); }
  });
})();
