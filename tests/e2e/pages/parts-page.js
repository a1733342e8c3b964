import { defineElement, mount } from "/pkg/index.js";

defineElement();
window.__mounted = mount(document.getElementById("mounted"), {
  src: "/fixtures/bundle.json",
  limit: 2,
  target: "_self",
});
