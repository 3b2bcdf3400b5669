// 检索结果的键盘操作：↓/↑ 在结果链接之间移动（Tab 键同样可用）；在检索框中按 ↓ 到第一项。
// 由 CSP 允许的本站静态文件提供（无内联脚本）。
document.documentElement.setAttribute("data-search-keys", "on");
document.addEventListener("keydown", function (event) {
  if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
  var hits = Array.prototype.slice.call(document.querySelectorAll("[data-search-hit]"));
  if (!hits.length) return;
  var active = document.activeElement;
  var index = hits.indexOf(active);
  if (index === -1) {
    if (active && active.hasAttribute("data-search-input") && event.key === "ArrowDown") {
      event.preventDefault();
      hits[0].focus();
    }
    return;
  }
  event.preventDefault();
  var next = event.key === "ArrowDown" ? index + 1 : index - 1;
  if (next < 0) {
    var input = document.querySelector("[data-search-input]");
    if (input) input.focus();
    return;
  }
  hits[Math.min(next, hits.length - 1)].focus();
});
