// Where Bootstrap Italia's script finds its fonts: the URL comes from the page (data-path on this element).
window.__PUBLIC_PATH__ = document.currentScript.getAttribute("data-path");
