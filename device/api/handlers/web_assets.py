"""The admin page's stylesheet and script (served from /admin/static/, no build step)."""

CSS = """
:root { font-family: "Noto Sans CJK SC", "Noto Sans SC", "Microsoft YaHei", system-ui,
        sans-serif; color: #1d2733; background: #f3f5f8; }
body { margin: 0; }
header { background: #1f3a5f; color: #fff; padding: .6rem 1.2rem; display: flex;
         align-items: center; gap: 1rem; }
header h1 { font-size: 1.2rem; margin: 0; flex: 1; }
header form { margin: 0; }
main { padding: 1rem 1.2rem; display: grid; gap: 1rem;
       grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); }
section { background: #fff; border-radius: 6px; padding: .8rem 1rem;
          box-shadow: 0 1px 3px rgba(0,0,0,.12); }
section h2 { font-size: 1.05rem; margin: 0 0 .6rem; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { text-align: left; padding: .3rem .4rem; border-bottom: 1px solid #e3e7ed; }
th { color: #52606d; font-weight: 600; }
.muted { color: #7b8794; }
.error { color: #b42318; font-weight: 600; }
.ok { color: #027a48; }
img.snap { width: 64px; height: 64px; object-fit: cover; border-radius: 4px; }
img.live { width: 100%; max-width: 640px; background: #111; min-height: 120px; }
button, input[type=submit] { background: #1f3a5f; color: #fff; border: 0;
  border-radius: 4px; padding: .35rem .8rem; cursor: pointer; }
header button { background: #fff; color: #1f3a5f; }
input[type=text], input[type=password], input[type=date] { padding: .3rem;
  border: 1px solid #c8ced6; border-radius: 4px; }
.login { max-width: 340px; margin: 12vh auto; }
.login label { display: block; margin: .6rem 0 .2rem; }
.login input { width: 100%; box-sizing: border-box; }
.login input[type=submit] { margin-top: 1rem; }
"""

JS = """
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const live = document.getElementById("live");
  const toggle = document.getElementById("live-toggle");
  if (live && toggle) {
    toggle.addEventListener("click", () => {
      if (live.dataset.on === "1") {
        live.removeAttribute("src");
        live.dataset.on = "0";
        toggle.textContent = "Start live view";
      } else {
        live.src = live.dataset.stream + "?t=" + Date.now();
        live.dataset.on = "1";
        toggle.textContent = "Stop live view";
      }
    });
  }
  for (const form of document.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  }
});
"""
