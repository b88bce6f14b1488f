// Measures the laid-out report for ReportHtmlBrowserTest and writes the result into the DOM
// (body[data-layout]), which chromium --dump-dom prints.
(function () {
  var broken = [];
  var ids = 0;
  function lines(rects) {
    return new Set(Array.from(rects).map(function (r) { return Math.round(r.top); })).size;
  }
  // key ids anywhere in the text (table cells, reasons, code), outside the SVG charts
  var keyId = /\b(AKIA|ASIA)[A-Z0-9]{16}\b/g;
  var walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    var t = walker.currentNode;
    if (t.parentElement.closest("svg, script")) continue;
    keyId.lastIndex = 0;
    var m;
    while ((m = keyId.exec(t.data))) {
      ids++;
      var range = document.createRange();
      range.setStart(t, m.index);
      range.setEnd(t, m.index + m[0].length);
      if (lines(range.getClientRects()) > 1) broken.push(m[0]);
    }
  }
  // account ids printed as ids of their own (not inside an ARN)
  document.querySelectorAll("code").forEach(function (c) {
    if (/^[0-9]{12}$/.test(c.textContent)) {
      ids++;
      if (lines(c.getClientRects()) > 1) broken.push(c.textContent);
    }
  });
  var scrolling = Array.from(document.querySelectorAll(".wide"))
    .filter(function (d) { return d.scrollWidth > d.clientWidth; })
    .map(function (d) { return d.closest("section").id + " " + d.scrollWidth + ">" + d.clientWidth; });
  var root = document.documentElement;
  document.body.setAttribute("data-layout", JSON.stringify({
    scrollWidth: root.scrollWidth,
    clientWidth: root.clientWidth,
    innerWidth: window.innerWidth,
    height: root.scrollHeight,
    ids: ids,
    broken: broken,
    scrolling: scrolling
  }));
})();
