// Search page: Pagefind's UI, bundled with the site (no third-party requests).
(function () {
  "use strict";
  var el = document.getElementById("search");
  if (!el || typeof PagefindUI === "undefined") { return; }
  new PagefindUI({
    element: "#search",
    bundlePath: el.getAttribute("data-bundle"),
    showSubResults: true,
    showImages: false,
    resetStyles: false
  });
})();
