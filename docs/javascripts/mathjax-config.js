// MathJax 3, served by the site itself (docs/assets/mathjax, filled by scripts/_setup.sh),
// and loaded only on pages that have math: it weighs 1.2 MB.
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

// Where MathJax lies, next to this script: <site>/javascripts/ -> <site>/assets/mathjax/.
const mathjaxUrl = new URL("../assets/mathjax/tex-mml-chtml.js", document.currentScript.src).href;

// Math on this page: Markdown pages mark it (arithmatex); in a chapter's prose
// it is the TeX delimiters themselves (a bare dollar in prose is escaped).
function pageHasMath() {
  if (document.querySelector(".arithmatex")) return true;
  const delimiters = /\\\(|\\\[|\$\$|\$[^$\s][^$]*\$/;
  return Array.from(document.querySelectorAll(".jp-RenderedMarkdown"))
    .some((el) => delimiters.test(el.textContent));
}

function loadMathJax() {
  if (document.getElementById("cnnguide-mathjax")) return;
  const script = document.createElement("script");
  script.id = "cnnguide-mathjax";
  script.src = mathjaxUrl;
  script.async = true;
  document.head.appendChild(script);
}

// Material's document$ fires for the first page and, with instant navigation,
// for every page it swaps in without reloading scripts: load MathJax the first
// time a page needs it, and re-typeset the pages after that.
document$.subscribe(() => {
  if (!pageHasMath()) return;
  if (!window.MathJax.startup || !MathJax.typesetPromise) {
    loadMathJax();  // typesets the page itself once loaded
    return;
  }
  MathJax.startup.output.clearCache();
  MathJax.typesetClear();
  MathJax.texReset();
  MathJax.typesetPromise();
});
