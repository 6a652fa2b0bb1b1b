// MathJax 3, served by the site itself (docs/assets/mathjax, filled by scripts/_setup.sh).
//
// Material's stock recipe only typesets `.arithmatex` elements, which leaves the
// math in executed chapters (rendered by nbconvert inside `.jp-RenderedMarkdown`)
// raw. Typeset both, and accept both delimiter styles that chapters use.
window.MathJax = {
  tex: {
    inlineMath: [["\\(", "\\)"], ["$", "$"]],
    displayMath: [["\\[", "\\]"], ["$$", "$$"]],
    processEscapes: true,
    processEnvironments: true,
  },
  options: {
    // Ignore every element with a class, except inside the two classes below.
    // (Material's ".*|" also matches class-less elements, which would skip the
    // <p> and <li> that hold the math inside a notebook's rendered Markdown.)
    ignoreHtmlClass: "[^ ]+",
    processHtmlClass: "arithmatex|jp-RenderedMarkdown",
  },
};

// Material's instant navigation swaps the page body without reloading scripts:
// re-typeset on every page it shows.
document$.subscribe(() => {
  if (!window.MathJax || !MathJax.startup || !MathJax.typesetPromise) return;
  MathJax.startup.output.clearCache();
  MathJax.typesetClear();
  MathJax.texReset();
  MathJax.typesetPromise();
});
